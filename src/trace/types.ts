/**
 * The per-step trace of a generation: what a researcher reads to learn why each token was or was not accepted.
 * Written by the decoder (`onStep` callback; `--trace out.jsonl`, one JSON object per line: a `TraceHeader`, then one
 * `StepTrace` per verification step, then a `TraceSummary`), read by `fastcoder trace` and the notebooks.
 */
import type { DraftSource, RetrievalDecision } from '../../retrieval/types';

/**
 * Where an output token came from: a retrieved draft (by source), a prompt-lookup draft (`pld` mode: an n-gram match in
 * the prompt + output), or the model itself (the bonus token).
 */
export type TokenSource = DraftSource | 'lookup' | 'model';

/** Per-source retrieval outcome of one step (the continuations themselves live in the draft tree). */
export interface SourceTrace {
  source: DraftSource;
  matchLength: number; // longest context suffix found (0 = nothing)
  matchCount: number; // occurrences of that suffix in the source
  candidates: number; // continuations that went into the Trie: the first k occurrences that have a token after the match (traces written before the Trie read suffix-array ranges counted distinct continuations here)
  ms: number; // search time
}

/** The draft tree verified this step, as flat arrays in topological order (node i's parent index < i). */
export interface DraftTrace {
  tokens: number[]; // token id per node
  parents: number[]; // parent node index, -1 = child of the step's root (the last known token)
  depths: number[]; // 0 for children of the root
  weights: number[]; // Trie weight α·t_r + β·t_c + γ·t_cache (+ t_lookup) of each node
  counts: { repo: number[]; common: number[]; cache: number[]; lookup?: number[] }; // t_r, t_c, t_cache (t_lookup: pld) per node
}

/** One token appended to the output this step. */
export interface AcceptedToken {
  token: number;
  text: string; // decoded text of this token alone
  source: TokenSource; // first of `sources`, or 'model' for the bonus token
  sources: TokenSource[]; // every draft source whose continuations contained this accepted path node
  node: number; // index into the step's draft tree, -1 for the bonus token
}

export interface StepTiming {
  retrieveMs: number;
  trieMs: number;
  forwardMs: number; // the forward over [root + tree] and the logits rows read by greedy acceptance
  commitMs: number;
  otherMs: number; // acceptance, cache update, bookkeeping
}

export interface StepTrace {
  kind: 'step';
  step: number; // 0-based verification step
  contextLength: number; // prompt + generated tokens before this step (the root token included)
  tokenInLine: number; // index within its line of the first token this step generates (0 = first token of the line)
  retrieval: { decision: RetrievalDecision; sources: SourceTrace[] } | null; // null in `ar` mode
  draft: DraftTrace;
  accepted: AcceptedToken[]; // accepted draft tokens, then the bonus token (may be cut by EOS / stop / max tokens)
  batch: number; // forward rows whose argmaxes were read at once (the root and the first batch - 1 nodes); each accepted node beyond them was read alone
  expected?: number[]; // `--budget auto` only: its expected acceptance of each verified node (ρ·P, budget.ts), in draft order
  timing: StepTiming;
}

export interface TraceHeader {
  kind: 'header';
  mode: string; // ar | pld | rest | fastcoder | an ablation row name
  model?: string; // the model directory, when the writer knew it (`fastcoder generate --trace` records --model)
  options: Record<string, unknown>; // the generation options in effect
  promptTokens: number[];
  promptText: string;
}

export interface GenerationMetrics {
  generated: number; // L: tokens generated
  forwards: number; // F: verification forwards (prefill excluded)
  acceptance: number; // L / F
  wallMs: number; // whole generation, prefill included
  prefillMs: number;
  msPerToken: number; // (wallMs - prefillMs) / L
  time: StepTiming; // summed over steps
  retrievals: number; // steps where retrieval was consulted
  cacheHits: number;
  skippedByTiming: number;
  missingTableHits: number;
  speedup?: number; // against an `ar` run of the same prompt, when one was made
}

export interface TraceSummary {
  kind: 'summary';
  tokens: number[]; // generated ids
  text: string;
  stopReason: 'eos' | 'stop-string' | 'max-new-tokens' | 'max-position';
  metrics: GenerationMetrics;
}

export type TraceLine = TraceHeader | StepTrace | TraceSummary;
