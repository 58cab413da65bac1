/**
 * Options of `generate`: the decoding mode, FastCoder's component switches (the paper's Table II ablations), Trie
 * weights, stopping rules and tracing hooks.
 */
import type { Datastore } from '../../retrieval/datastore';
import type { Budget } from './budget';
import type { CostProfile } from './cost-model';
import type { RetrieverOptions } from '../../retrieval/retriever';
import type { SequenceCache } from '../../retrieval/cache';
import type { Retriever } from '../../retrieval/types';
import type { StepTrace } from '../trace/types';
import type { PromptLookupOptions } from './prompt-lookup';
import type { TraceSink } from '../trace/writer';

/**
 * `ar` plain greedy decoding (one token per forward: the reference output and the speed baseline); `pld` prompt lookup;
 * `rest` REST (D_c only, no cache, no retrieval timing, Trie by counts); `fastcoder` D_r + D_c, cache, retrieval timing,
 * weighted Trie (D_r and D_c searched one after the other in this thread unless `parallel`: measured faster, see
 * `DEFAULT_RETRIEVER_OPTIONS`).
 */
export type Mode = 'ar' | 'pld' | 'rest' | 'fastcoder';

export const MODES: readonly Mode[] = ['ar', 'pld', 'rest', 'fastcoder'];

export interface GenerateOptions {
  mode: Mode;
  maxNewTokens?: number; // hard cap on generated tokens (default 128)
  stop?: string[]; // stop after the token that completes any of these strings in the generated text
  eosIds?: number[]; // default: the model's config.json eos ids when it has a config, else the tokenizer's
  addSpecialTokens?: boolean; // text prompts: let the tokenizer add BOS (default true)
  budget?: Budget; // draft tokens verified per forward (default 64; the forward sees budget + 1 rows), or 'auto' (budget.ts)
  costProfile?: CostProfile; // budget 'auto': the verify step's cost on this machine (default: calibrated once per model object)
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
  options: Pick<GenerateOptions, 'mode' | 'repo' | 'cache' | 'timing' | 'parallel'>;
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
