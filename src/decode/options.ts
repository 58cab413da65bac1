/**
 * Options of `generate`: the decoding mode, FastCoder's component switches (the paper's Table II ablations), Trie
 * weights, stopping rules and tracing hooks.
 */
import type { Datastore } from '../../retrieval/datastore';
import type { Budget, StepBudget } from './budget';
import type { CostProfile } from './cost-model';
import type { RetrieverOptions } from '../../retrieval/retriever';
import type { SequenceCache } from '../../retrieval/cache';
import type { Retriever } from '../../retrieval/types';
import type { StepTrace } from '../trace/types';
import type { PromptLookupOptions } from './prompt-lookup';
import type { TraceSink } from '../trace/writer';
import type { Smoothing } from '../../trie/weighted-trie';

/**
 * `ar` plain greedy decoding (one token per forward: the reference output and the speed baseline); `pld` prompt lookup;
 * `rest` REST (D_c only, no cache, no retrieval timing, Trie by counts); `fastcoder` D_r + D_c, cache, retrieval timing,
 * weighted Trie (D_r and D_c searched one after the other in this thread unless `parallel`: measured faster, see
 * `DEFAULT_RETRIEVER_OPTIONS`).
 */
export type Mode = 'ar' | 'pld' | 'rest' | 'fastcoder' | 'fastcoder-plus';

export const MODES: readonly Mode[] = ['ar', 'pld', 'rest', 'fastcoder', 'fastcoder-plus'];

/**
 * Drafting rules beyond the paper. `fastcoder` runs with PAPER_RULES (each rule can be switched on alone: the plus
 * ablation rows), `fastcoder-plus` with PLUS_RULES. Every rule changes only the draft, so every mode stays lossless.
 */
export interface PlusRules {
  cacheFromStart: boolean; // search the cache from the first step instead of once it holds l = 50 sequences
  normalise: boolean; // each source's counts divided by its total (D_r, D_c, cache, lookup each weigh 1 in all)
  lookup: number; // 0, or the length of a most-recent prompt-lookup chain merged into the Trie as one more source
  span: number; // tokens per retrieved continuation (the paper's 10)
  merge: boolean; // the cache's candidates join D_r's and D_c's instead of replacing them (a hit no longer skips the search)
  prompt: boolean; // the prompt is cached at the start: the cache then finds every earlier occurrence in the whole context
  backoff: number; // 0, or D_r and D_c also give the continuations of their longest match of at most this many tokens
  skip: boolean; // retrieval timing: the line-start coin and the missing table
  smoothing: Smoothing; // λ per source: below the root a node's share of its parent is count / (parent count + λ), not count / parent count
}

export const PAPER_RULES: PlusRules = { cacheFromStart: false, normalise: false, lookup: 0, span: 10, merge: false, prompt: false, backoff: 0, skip: true, smoothing: {} };
export const PLUS_RULES: PlusRules = { cacheFromStart: true, normalise: true, lookup: 20, span: 16, merge: true, prompt: false, backoff: 2, skip: false, smoothing: { common: 3, cache: 1, lookup: 1 } };

export interface GenerateOptions {
  mode: Mode;
  maxNewTokens?: number; // hard cap on generated tokens (default 128)
  stop?: string[]; // stop after the token that completes any of these strings in the generated text
  eosIds?: number[]; // default: the model's config.json eos ids when it has a config, else the tokenizer's
  addSpecialTokens?: boolean; // text prompts: let the tokenizer add BOS (default true)
  budget?: Budget; // draft tokens verified per forward (default 64; the forward sees budget + 1 rows), or 'auto' (budget.ts)
  costProfile?: CostProfile; // budget 'auto': the verify step's cost on this machine (default: calibrated once per model object)
  stepBudget?: StepBudget; // a budget policy of one's own for this generation, in place of `budget` (e.g. `clairvoyantBudget`)
  alpha?: number; // Trie weight of D_r counts (default 1)
  beta?: number; // Trie weight of D_c counts (default 1)
  gamma?: number; // Trie weight of cache counts (default 1)
  repo?: boolean; // fastcoder: search D_r (default true)
  cache?: boolean; // fastcoder: context- and preference-aware cache (default true)
  timing?: boolean; // fastcoder: retrieval timing (line-start skip, missing table) (default true)
  parallel?: boolean; // fastcoder: search D_r and D_c concurrently in worker threads (default false: sequential is faster)
  // fastcoder: a cache kept across generations (session scope, e.g. `newSequenceCache({})` per benchmark mode and
  // repository); default: a fresh cache per generation (the paper's generation scope)
  sessionCache?: SequenceCache;
  repoIndex?: Datastore; // D_r
  commonIndex?: Datastore; // D_c
  retriever?: Retriever; // a ready retriever for `rest`/`fastcoder` (then the four switches and indexes are unused)
  plus?: Partial<PlusRules>; // drafting rules beyond the paper, over PAPER_RULES (fastcoder) or PLUS_RULES (fastcoder-plus)
  retrieval?: Partial<RetrieverOptions>; // further retriever options (nMax, k, span, l, p, ...); they override the switches
  promptLookup?: Partial<PromptLookupOptions>; // pld: n-gram size and draft length
  seed?: number; // seeds the retrieval-timing coin (default 0)
  label?: string; // the trace header's mode name, e.g. an ablation row (default: mode)
  onStep?: (step: StepTrace) => void; // called after every verification step
  trace?: TraceSink; // receives the header, every step and the summary (e.g. a JsonlTraceWriter)
}

/** One row of the paper's Table II: FastCoder as run by default, or with one component switched. */
export interface AblationRow {
  name: string;
  options: Pick<GenerateOptions, 'mode' | 'repo' | 'cache' | 'timing' | 'parallel' | 'plus'>;
}

const FASTCODER = { mode: 'fastcoder', repo: true, cache: true, timing: true, parallel: false } as const;

/**
 * Table II rows: `fastcoder` with the defaults (sequential D_r + D_c search), each of repo / cache / timing switched off,
 * and `w/ parallel`, the paper's parallel component (worker-thread search) switched on, so its effect stays visible.
 *
 * Example: ABLATIONS.find((r) => r.name === 'w/o cache').options → { mode: 'fastcoder', repo: true, cache: false, timing: true, parallel: false }
 */
export const ABLATIONS: readonly AblationRow[] = [
  { name: 'fastcoder', options: { ...FASTCODER } },
  { name: 'w/o repo', options: { ...FASTCODER, repo: false } },
  { name: 'w/o cache', options: { ...FASTCODER, cache: false } },
  { name: 'w/o timing', options: { ...FASTCODER, timing: false } },
  { name: 'w/ parallel', options: { ...FASTCODER, parallel: true } },
];

/**
 * The plus ablation: `fastcoder` with one rule of PLUS_RULES switched on (each measured alone), `fastcoder-plus` with
 * one switched off, and `plus+prompt`, a rule measured and left out (no gain: the lookup chain already reads the prompt). Example: PLUS_ABLATIONS.find((r) => r.name === '+norm').options.plus → { normalise: true }
 */
export const PLUS_ABLATIONS: readonly AblationRow[] = [
  { name: '+cache0', options: { ...FASTCODER, plus: { cacheFromStart: true } } },
  { name: '+norm', options: { ...FASTCODER, plus: { normalise: true } } },
  { name: '+lookup', options: { ...FASTCODER, plus: { lookup: PLUS_RULES.lookup } } },
  { name: '+span16', options: { ...FASTCODER, plus: { span: PLUS_RULES.span } } },
  { name: '+merge', options: { ...FASTCODER, plus: { merge: true } } },
  { name: '+backoff', options: { ...FASTCODER, plus: { backoff: PLUS_RULES.backoff } } },
  { name: '+noskip', options: { ...FASTCODER, plus: { skip: false } } },
  { name: '+smooth', options: { ...FASTCODER, plus: { smoothing: PLUS_RULES.smoothing } } },
  { name: 'plus-cache0', options: { mode: 'fastcoder-plus', plus: { cacheFromStart: false } } },
  { name: 'plus-norm', options: { mode: 'fastcoder-plus', plus: { normalise: false } } },
  { name: 'plus-lookup', options: { mode: 'fastcoder-plus', plus: { lookup: 0 } } },
  { name: 'plus-span16', options: { mode: 'fastcoder-plus', plus: { span: PAPER_RULES.span } } },
  { name: 'plus-merge', options: { mode: 'fastcoder-plus', plus: { merge: false } } },
  { name: 'plus-backoff', options: { mode: 'fastcoder-plus', plus: { backoff: 0 } } },
  { name: 'plus-noskip', options: { mode: 'fastcoder-plus', plus: { skip: true } } },
  { name: 'plus-smooth', options: { mode: 'fastcoder-plus', plus: { smoothing: {} } } },
  { name: 'plus+prompt', options: { mode: 'fastcoder-plus', plus: { prompt: true } } },
];

/** The rules in effect: PLUS_RULES for fastcoder-plus, else PAPER_RULES, with `o.plus` over them. */
export function plusRules(o: Pick<GenerateOptions, 'mode' | 'plus'>): PlusRules {
  return { ...(o.mode === 'fastcoder-plus' ? PLUS_RULES : PAPER_RULES), ...o.plus };
}

/**
 * Whether the options draft from a repository datastore (D_r): the FastCoder modes, unless `repo` is off.
 * Example: draftsFromRepo({ mode: 'fastcoder-plus' }) → true; draftsFromRepo({ mode: 'fastcoder', repo: false }) → false;
 *          draftsFromRepo({ mode: 'rest' }) → false
 */
export function draftsFromRepo(o: Pick<GenerateOptions, 'mode' | 'repo'>): boolean {
  return o.mode.startsWith('fastcoder') && o.repo !== false;
}

/** The largest draft budget: `--budget 1000000` grew to 7.5 GB and crashed (a [budget + 1]² tree mask and scores). */
export const MAX_BUDGET = 1024;

/** Defaults filled in (datastores, retriever and callbacks left as given). */
export type ResolvedOptions = Required<Pick<GenerateOptions, 'mode' | 'maxNewTokens' | 'stop' | 'addSpecialTokens' | 'budget' | 'alpha' | 'beta' | 'gamma' | 'repo' | 'cache' | 'timing' | 'parallel' | 'seed' | 'label'>> &
  GenerateOptions & { promptLookup: PromptLookupOptions };

/**
 * Validate and fill defaults. Example: resolveOptions({ mode: 'ar' }).budget → 64
 */
export function resolveOptions(o: GenerateOptions, lookupDefaults: PromptLookupOptions): ResolvedOptions {
  if (!MODES.includes(o.mode)) throw new Error(`generate: unknown mode '${o.mode}' (expected ${MODES.join(', ')})`);
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as GenerateOptions;
  const r: ResolvedOptions = {
    maxNewTokens: 128, stop: [], addSpecialTokens: true, budget: 64, alpha: 1, beta: 1, gamma: 1,
    repo: true, cache: true, timing: true, parallel: false, seed: 0, label: o.mode,
    ...given,
    promptLookup: { ...lookupDefaults, ...given.promptLookup },
  };
  checkInteger('maxNewTokens', r.maxNewTokens, 0);
  if (r.budget !== 'auto') checkInteger('budget', r.budget, 0);
  if (r.budget !== 'auto' && r.budget > MAX_BUDGET) throw new Error(`generate: budget must be at most ${MAX_BUDGET} (one forward verifies budget + 1 rows; the paper uses 64), got ${r.budget}`);
  checkInteger('promptLookup.maxNgram', r.promptLookup.maxNgram, 1);
  checkInteger('promptLookup.draftLength', r.promptLookup.draftLength, 0);
  for (const k of ['alpha', 'beta', 'gamma'] as const) {
    if (!Number.isFinite(r[k]) || r[k] < 0) throw new Error(`generate: ${k} must be a finite number >= 0, got ${r[k]}`);
  }
  if (r.stop.some((s) => s.length === 0)) throw new Error('generate: empty stop string');
  return r;
}

function checkInteger(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`generate: ${name} must be an integer >= ${min}, got ${v}`);
}
