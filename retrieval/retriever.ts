/**
 * Algorithm 1 of FastCoder: the cache first (when active); if it is inactive or finds nothing, retrieval timing
 * (skip a line start with probability 1 - p), the missing table, then D_r and D_c, concurrently in worker threads or
 * in this thread. Every decision comes back with the result for the trace.
 *
 * Example:
 *   const r = new FastRetriever({ repo, common, tokenTexts: tok.tokenTexts() });   // FastCoder defaults
 *   const rest = new FastRetriever({ common, ...REST_RETRIEVER_OPTIONS });          // the REST baseline
 *   r.begin(prompt);
 *   const { results, decision } = await r.retrieve(context);
 *   r.update({ tokens, generatedStart, appended, fromDraft });
 *   await r.close();
 */
import { SequenceCache } from './cache';
import { sourceResult } from './continuations';
import type { Datastore } from './datastore';
import { SearchPool } from './search-pool';
import type { SearchOptions } from './suffix-array';
import { generationSeed, isLineStart, seededRandom } from './timing';
import type { DraftSource, RetrievalDecision, RetrievalResult, Retriever, SourceResult, StepFeedback, TreeMatch } from './types';

export interface RetrieverOptions {
  repo?: Datastore; // D_r
  common?: Datastore; // D_c
  cache: boolean; // use the context/LLM-output cache
  timing: boolean; // skip line starts with probability 1 - p
  missingTable: boolean; // remember n_max-token suffixes that found nothing
  parallel: boolean; // search D_r and D_c in worker threads (else in this thread)
  tokenTexts: string[]; // decoded text of each token id alone (needed when `timing`)
  nMax: number; // longest suffix tried (16)
  nMin: number; // shortest suffix accepted (2)
  k: number; // occurrences turned into continuations per source (5000)
  span: number; // tokens per continuation (10)
  l: number; // the cache is searched once it holds at least l sequences (50)
  cacheFirst: boolean; // a cache hit replaces the D_r/D_c search (Algorithm 1); false: every source is searched and merged
  cachePrompt: boolean; // `begin` also caches the prompt, so that the cache searches the whole context (default false)
  backoff: number; // 0, or also search each datastore for its longest match of at most this many tokens when the longest match is longer (a second, separately counted result of that source)
  backoffK: number; // occurrences turned into continuations by that second search (500: short matches occur thousands of times)
  p: number; // retrieval probability at a line start (0.5)
  seed: number; // seed of the line-start coin; every `begin` restarts it mixed with a hash of the prompt (generationSeed)
  cacheChunk: number; // the model's output is cached in pieces of this many tokens (20)
  cacheScope: 'generation' | 'session'; // cache emptied at every `begin`, or kept across generations
  sharedCache?: SequenceCache; // use this cache instead of a fresh one (kept by the caller across retrievers; still emptied at `begin` unless cacheScope is 'session')
  cacheMaxSequences: number; // cache bound: oldest sequences evicted beyond this
  cacheMaxTokens: number; // cache bound in tokens
  missingTableSize: number; // LRU capacity of the missing table
}

/**
 * The paper's defaults, except `parallel`: measured with `npm run bench:retrieval` (CPython stdlib D_c, 3.8M tokens;
 * RepoEval CarperAI_trlx D_r; 5000 prompt contexts; 2 cores) a retrieve over D_r + D_c took p50 10 µs sequentially and
 * 148 µs with worker threads: the message round trip costs far more than both searches, so sequential is the default.
 */
export const DEFAULT_RETRIEVER_OPTIONS: Omit<RetrieverOptions, 'repo' | 'common'> = {
  cache: true,
  timing: true,
  missingTable: true,
  parallel: false,
  tokenTexts: [],
  nMax: 16,
  nMin: 2,
  k: 5000,
  span: 10,
  l: 50,
  cacheFirst: true,
  cachePrompt: false,
  backoff: 0,
  backoffK: 500,
  p: 0.5,
  seed: 0,
  cacheChunk: 20,
  cacheScope: 'generation',
  cacheMaxSequences: 4096,
  cacheMaxTokens: 1 << 18,
  missingTableSize: 100_000,
};

/** REST (arXiv 2311.08252): one datastore, no cache, no timing, no missing table. */
export const REST_RETRIEVER_OPTIONS: Partial<RetrieverOptions> = { cache: false, timing: false, missingTable: false, parallel: false };

export class FastRetriever implements Retriever {
  readonly options: Omit<RetrieverOptions, 'repo' | 'common'>;
  private readonly sources: { source: DraftSource; ds: Datastore }[];
  private readonly cache: SequenceCache | null;
  private readonly missing: MissingTable;
  private readonly searchOptions: SearchOptions; // the options' nMax, nMin, k and span, as every search takes them
  private pool: SearchPool | null = null;
  private random: () => number;
  private piecesCached = 0; // pieces of this generation's output already in the cache

  constructor(options: Partial<RetrieverOptions>) {
    const { repo, common, ...rest } = options;
    this.options = { ...DEFAULT_RETRIEVER_OPTIONS, ...rest };
    const o = this.options;
    if (o.timing && o.tokenTexts.length === 0) throw new Error('FastRetriever: retrieval timing needs tokenTexts (the text of every token id)');
    if (!(o.p >= 0 && o.p <= 1)) throw new Error(`FastRetriever: p must be in [0, 1] (got ${o.p})`);
    if (o.backoff > 0 && o.parallel) throw new Error('FastRetriever: backoff searches in this thread only (parallel: false)');
    if (!(o.nMin >= 1 && o.nMax >= o.nMin)) throw new Error(`FastRetriever: need 1 <= nMin <= nMax (got ${o.nMin}, ${o.nMax})`);
    this.sources = [];
    if (repo) this.sources.push({ source: 'repo', ds: repo });
    if (common) this.sources.push({ source: 'common', ds: common });
    this.cache = o.cache ? (o.sharedCache ?? newSequenceCache(o)) : null;
    this.missing = new MissingTable(o.missingTableSize);
    this.random = seededRandom(o.seed);
    this.searchOptions = { nMax: o.nMax, nMin: o.nMin, k: o.k, span: o.span };
  }

  begin(prompt: Int32Array): void {
    if (this.options.cacheScope === 'generation') this.cache?.clear();
    if (this.options.cachePrompt) this.cache?.insert(prompt);
    this.piecesCached = 0;
    this.random = seededRandom(generationSeed(this.options.seed, prompt));
  }

  /**
   * Start the worker threads of parallel search now (one empty search per worker), so that the first `retrieve` does not
   * pay for their start-up; nothing to do for sequential search. Example: await r.ready(); const t0 = now(); ...
   */
  async ready(): Promise<void> {
    if (!this.options.parallel || this.sources.length < 2) return;
    this.pool ??= new SearchPool(this.sources.map((s) => s.ds));
    await Promise.all(this.sources.map((_, i) => this.pool!.search(i, new Int32Array(0), this.searchOptions)));
  }

  async retrieve(context: Int32Array): Promise<RetrievalResult> {
    const t0 = performance.now();
    const decision: RetrievalDecision = { cacheActive: false, cacheHit: false, lineStart: false, coin: null, skipped: false, missingTableHit: false, parallel: false, ms: 0 };
    const results: SourceResult[] = [];
    const searched = this.beforeSearch(context, decision, results);
    if (searched !== null) {
      decision.parallel = this.options.parallel && this.sources.length > 1;
      const found = decision.parallel ? await this.searchParallel(context) : this.searchHere(context);
      for (const r of found) results.push(r);
      if (this.options.missingTable && found.length > 0 && found.every(isEmpty)) this.missing.add(searched);
    }
    decision.ms = performance.now() - t0;
    return { results, decision };
  }

  /**
   * The steps of Algorithm 1 before the datastores: the cache (its result pushed to `results`), the line-start coin and
   * the missing table, each recorded in `decision`. Returns the missing table's key of `context` when the datastores
   * are to be searched, null when a step ended the retrieval.
   */
  private beforeSearch(context: Int32Array, decision: RetrievalDecision, results: SourceResult[]): string | null {
    if (this.cache && this.cache.size >= this.options.l) {
      decision.cacheActive = true;
      const r = timedMatch('cache', this.cache, context, this.searchOptions);
      results.push(r);
      decision.cacheHit = r.tree.count > 0;
      if (decision.cacheHit && this.options.cacheFirst) return null;
    }
    if (this.options.timing) {
      decision.lineStart = isLineStart(context, this.options.tokenTexts);
      decision.coin = decision.lineStart ? this.random() : null;
      decision.skipped = decision.coin !== null && decision.coin >= this.options.p;
      if (decision.skipped) return null;
    }
    const key = this.missingKey(context);
    if (this.options.missingTable && this.missing.has(key)) {
      decision.missingTableHit = true;
      return null;
    }
    return key;
  }

  /** The last n_max tokens: the only part of the context a datastore search reads. */
  private missingKey(context: Int32Array): string {
    return context.subarray(Math.max(0, context.length - this.options.nMax)).join(',');
  }

  private searchHere(context: Int32Array): SourceResult[] {
    const results: SourceResult[] = [];
    for (const { source, ds } of this.sources) results.push(timedMatch(source, ds, context, this.searchOptions));
    const n = this.options.backoff;
    if (n <= 0) return results;
    const shorter = { ...this.searchOptions, nMax: n, k: Math.min(this.options.k, this.options.backoffK) };
    const extra = this.sources.filter((_, i) => results[i].matchLength > n).map(({ source, ds }) => timedMatch(source, ds, context, shorter));
    return [...results, ...extra];
  }

  private async searchParallel(context: Int32Array): Promise<SourceResult[]> {
    this.pool ??= new SearchPool(this.sources.map((s) => s.ds));
    const t0 = performance.now();
    const ranges = await Promise.all(this.sources.map((_, i) => this.pool!.search(i, context, this.searchOptions)));
    const ms = performance.now() - t0; // concurrent: each source's time is the wall time of the pair
    return ranges.map((range, i) => {
      const { source, ds } = this.sources[i];
      return sourceResult(source, ds.treeMatch(range, this.options.span), ms);
    });
  }

  update(feedback: StepFeedback): void {
    if (!this.cache) return;
    const { tokens, generatedStart, appended, fromDraft } = feedback;
    const stepStart = tokens.length - appended;
    const nMax = this.options.nMax;
    if (fromDraft > 0) this.cache.insert(tokens.subarray(Math.max(0, stepStart - nMax), stepStart + fromDraft));
    const chunk = this.options.cacheChunk;
    while (generatedStart + (this.piecesCached + 1) * chunk <= tokens.length) {
      const start = generatedStart + this.piecesCached * chunk;
      this.cache.insert(tokens.subarray(Math.max(0, start - nMax), start + chunk));
      this.piecesCached++;
    }
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}

/**
 * The missing table: context suffixes known to find nothing, the least recently added forgotten beyond `capacity`.
 * A Set keeps insertion order and allocates as it grows: an LRU map that preallocates its 100,000 slots cost ~8 ms at
 * the first miss of every generation (a retriever lives one generation), the slowest retrieval step of most tasks.
 *
 * Example: const t = new MissingTable(2); t.add('a'); t.add('b'); t.add('c'); t.has('a') → false, t.has('c') → true
 */
class MissingTable {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
  }
}

/**
 * A cache with the limits a retriever with `options` would give its own: what a caller keeps as `sharedCache` to carry
 * one cache across generations (each with its own retriever, e.g. because D_r changes per task).
 *
 * Example:
 *   const cache = newSequenceCache({});   // nMin 2, at most 4096 sequences / 2^18 tokens
 *   for (const task of tasks) await generate(lm, tok, task.prompt, { mode: 'fastcoder', sessionCache: cache, ... });
 */
export function newSequenceCache(options: Partial<Pick<RetrieverOptions, 'nMin' | 'cacheMaxSequences' | 'cacheMaxTokens'>>): SequenceCache {
  const o = { ...DEFAULT_RETRIEVER_OPTIONS, ...options };
  return new SequenceCache({ nMin: o.nMin, maxSequences: o.cacheMaxSequences, maxTokens: o.cacheMaxTokens });
}

/** Search `store` (a datastore or the cache) and stamp the result's source and duration. Example: timedMatch('repo', ds, ctx, o) → { source: 'repo', ...ds.match(ctx, o), ms } */
function timedMatch(source: DraftSource, store: { match(context: Int32Array, opts: SearchOptions): TreeMatch }, context: Int32Array, opts: SearchOptions): SourceResult {
  const t0 = performance.now();
  const m = store.match(context, opts);
  return sourceResult(source, m, performance.now() - t0);
}

/** Whether a source found nothing to draft. */
function isEmpty(r: SourceResult): boolean {
  return r.tree.count === 0;
}
