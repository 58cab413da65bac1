/**
 * Where a step's draft tree comes from: nothing (`ar`), prompt lookup (`pld`), or a `Retriever` whose continuation trees
 * are merged into the weighted Trie (`rest`, `fastcoder` and its ablations, `fastcoder-plus`). `openDrafter` picks the one of a mode; each
 * drafter reports what the trace needs.
 */
import type { Tokenizer } from '../../model/tokenizer';
import { FastRetriever, REST_RETRIEVER_OPTIONS, type RetrieverOptions } from '../../retrieval/retriever';
import type { Retriever, SourceResult, StepFeedback } from '../../retrieval/types';
import { type DraftTree, emptyTree } from '../../trie/draft-tree';
import { WeightedTrie, type TrieWeights } from '../../trie/weighted-trie';
import type { SourceTrace, StepTrace } from '../trace/types';
import { PAPER_RULES, plusRules, type PlusRules, type ResolvedOptions } from './options';
import { DEFAULT_PROMPT_LOOKUP, promptLookup, type PromptLookupOptions } from './prompt-lookup';

export interface Draft {
  tree: DraftTree;
  retrieval: StepTrace['retrieval']; // null when no retriever ran
  retrieveMs: number;
  trieMs: number;
}

export interface Drafter {
  /** Start a generation for `prompt` (before the timed part: worker threads of parallel search start here). */
  begin(prompt: Int32Array): Promise<void>;
  /** A draft tree of at most `budget` nodes continuing `context` (prompt + generated, ending with the root token). */
  draft(context: Int32Array, budget: number): Promise<Draft>;
  /** What the step accepted (feeds the retriever's cache). */
  update(feedback: StepFeedback): void;
  /** Release what `close` of the underlying retriever releases. */
  close(): Promise<void>;
}

const now = (): number => performance.now();

/** `ar`: never drafts. Example: (await noDrafter().draft(ctx, 64)).tree.tokens → [] */
export function noDrafter(): Drafter {
  return {
    begin: async () => {},
    draft: async () => ({ tree: emptyTree(), retrieval: null, retrieveMs: 0, trieMs: 0 }),
    update() {},
    close: async () => {},
  };
}

/**
 * `pld`: one chain from prompt lookup, as a Trie of a single 'lookup' continuation.
 * Example: context [1, 2, 3, 1, 2] → chain [3, 1, 2] (with maxNgram 2, draftLength 3).
 */
export function promptLookupDrafter(opts: PromptLookupOptions): Drafter {
  return {
    begin: async () => {},
    async draft(context, budget) {
      const t0 = now();
      const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
      const chain = promptLookup(context, opts);
      if (chain.length > 0) trie.insert(chain, 'lookup', 1);
      return { tree: trie.select(budget), retrieval: null, retrieveMs: 0, trieMs: now() - t0 };
    },
    update() {},
    close: async () => {},
  };
}

/**
 * Retrieval drafts: every source result's continuation tree goes into a weighted Trie, unexpanded; the heaviest
 * `budget` nodes are verified. `closeRetriever` says whether `close` also closes the retriever (it does when the
 * decoder created it); `ready`, when given, runs at `begin` (e.g. `FastRetriever.ready`: start search workers).
 *
 * `rules` (fastcoder-plus, `PlusRules`): with `normalise`, each source result's counts are multiplied by 1 / its total
 * (the tree's root count), so that every source weighs 1 in all; with `lookup` > 0, the most recent prompt-lookup chain
 * joins as one more source; with `smoothing`, a source's deeper nodes count their share of the parent as
 * count / (parent count + λ).
 *
 * Example: a retriever returning repo [5, 6] ×2 and common [5, 8] ×1, α=β=γ=1, budget 2 →
 *   tree tokens [5, 6], weights [3, 2]   (normalised: repo [5, 6] ×1, common [5, 8] ×1 → weights [2, 1])
 */
export function retrievalDrafter(retriever: Retriever, weights: TrieWeights, closeRetriever: boolean, ready?: () => Promise<void>, rules: PlusRules = PAPER_RULES): Drafter {
  const lookup = { maxNgram: DEFAULT_PROMPT_LOOKUP.maxNgram, draftLength: rules.lookup, latest: true };
  /** The Trie of the sources' trees and the lookup chain, its `budget` heaviest nodes; the empty tree, without a Trie, when none drafted anything (a third of the steps on the demo tasks). */
  const draftTree = (results: readonly SourceResult[], chain: number[], budget: number): DraftTree => {
    if (chain.length === 0 && !results.some((r) => r.tree.count > 0)) return emptyTree();
    const trie = new WeightedTrie(weights, rules.smoothing);
    for (const r of results) if (r.tree.count > 0) trie.add(r.tree, r.source, rules.normalise ? 1 / r.tree.count : 1); // normalised: each source weighs 1 in all
    if (chain.length > 0) trie.insert(chain, 'lookup', 1);
    return trie.select(budget);
  };
  return {
    async begin(prompt) {
      retriever.begin(prompt);
      await ready?.();
    },
    async draft(context, budget) {
      const t0 = now();
      const result = await retriever.retrieve(context);
      const t1 = now();
      const chain = rules.lookup > 0 ? promptLookup(context, lookup) : [];
      const tree = draftTree(result.results, chain, budget);
      const sources: SourceTrace[] = result.results.map((r) => ({
        source: r.source,
        matchLength: r.matchLength,
        matchCount: r.matchCount,
        candidates: r.tree.count,
        ms: r.ms,
      }));
      return { tree, retrieval: { decision: result.decision, sources }, retrieveMs: t1 - t0, trieMs: now() - t1 };
    },
    update: (feedback) => retriever.update(feedback),
    close: async () => {
      if (closeRetriever) await retriever.close();
    },
  };
}

/** Example: openDrafter(resolveOptions({ mode: 'pld' }, DEFAULT_PROMPT_LOOKUP), tok) → a prompt-lookup drafter */
export function openDrafter(opts: ResolvedOptions, tokenizer: Tokenizer): Drafter {
  const weights = { alpha: opts.alpha, beta: opts.beta, gamma: opts.gamma };
  const rules = plusRules(opts);
  if (opts.mode === 'ar') return noDrafter();
  if (opts.mode === 'pld') return promptLookupDrafter(opts.promptLookup);
  if (opts.retriever) return retrievalDrafter(opts.retriever, weights, false, undefined, rules);
  const retriever = new FastRetriever(retrieverOptions(opts, tokenizer));
  return retrievalDrafter(retriever, weights, true, () => retriever.ready(), rules);
}

/**
 * `rest`: D_c only, no cache, no timing, no missing table. `fastcoder`: D_r (unless `repo` is off) and D_c, with the
 * cache, retrieval timing (line-start coin and missing table) and parallel search as switched; with `sessionCache`,
 * that cache (session scope: kept across generations) instead of a fresh one. `fastcoder-plus` (and `plus` rules on
 * fastcoder): the retriever side of PlusRules: span, cache from step 0, cache merged, prompt cached, backoff, no skip.
 *
 * Example: retrieverOptions({ mode: 'fastcoder', timing: false, ... }) → { timing: false, missingTable: false, ... }
 */
export function retrieverOptions(opts: ResolvedOptions, tokenizer: Tokenizer): Partial<RetrieverOptions> {
  const { mode, repoIndex, commonIndex } = opts;
  if (!commonIndex) throw new Error(`generate: mode '${mode}' needs commonIndex (the common-code datastore D_c), or a ready retriever`);
  const common = { seed: opts.seed, tokenTexts: tokenizer.tokenTexts() };
  if (mode === 'rest') return { ...common, ...REST_RETRIEVER_OPTIONS, ...opts.retrieval, common: commonIndex };
  if (opts.repo && !repoIndex) throw new Error(`generate: mode '${mode}' needs repoIndex (the repository datastore D_r), or repo: false`);
  const rules = plusRules(opts);
  const timing = opts.timing && rules.skip;
  const switches = { cache: opts.cache, timing, missingTable: timing, parallel: opts.parallel, span: rules.span, cacheFirst: !rules.merge, cachePrompt: rules.prompt, backoff: rules.backoff, ...(rules.cacheFromStart ? { l: 0 } : {}) };
  const scope = opts.sessionCache ? { cacheScope: 'session' as const, sharedCache: opts.sessionCache } : {};
  return { ...common, ...switches, ...scope, ...opts.retrieval, repo: opts.repo ? repoIndex : undefined, common: commonIndex };
}
