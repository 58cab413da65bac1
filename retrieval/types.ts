/**
 * What retrieval hands to the weighted Trie and to the tracer. Pure data; no TensorFlow.js.
 */

/** Where a draft continuation came from: the context cache, the repository datastore D_r, the common datastore D_c. */
export type DraftSource = 'cache' | 'repo' | 'common';

/** One distinct continuation found after the matched suffix, and how many times it occurred in that source. */
export interface Continuation {
  tokens: Int32Array; // at most `span` tokens, never crossing a document boundary
  count: number; // occurrences of exactly this continuation among the retrieved ones
}

/**
 * The continuations one search found, as a prefix tree that the weighted Trie expands lazily, node by node: a node
 * stands for the continuations that begin with its path from the root (the root: all of them, each non-empty). A
 * datastore's node is a sub-range of the match's suffix-array range (`SuffixRangeTree` in `suffix-array.ts`), the
 * cache's and prompt lookup's a list of sequences (`ListTree` in `continuations.ts`); `listContinuations` lists the
 * distinct continuations of a tree.
 *
 * Example: continuations [5 6] ×2 and [5] ×1 → root count 3; its child 5 has count 3 and one child, 6, of count 2.
 */
export interface ContinuationTree {
  readonly count: number; // continuations through this node (the sum of their counts)
  /** Call `visit` once per distinct next token, in ascending token order, with the subtree of that token. */
  forEachChild(visit: (token: number, child: ContinuationTree) => void): void;
}

/** A longest-suffix match with its continuations as a tree (what `Datastore.match` and `SequenceCache.match` return). */
export interface TreeMatch {
  matchLength: number; // longest context suffix found (0 = none of length >= nMin)
  matchCount: number; // occurrences of that suffix (before the k cap)
  tree: ContinuationTree; // continuations of the first k occurrences (SA order for D_r/D_c, most recent first for the cache)
}

/** The result of searching one source for the longest matching suffix of the context. */
export interface SourceResult extends TreeMatch {
  source: DraftSource;
  // The distinct continuations of `tree`, listed when read (for inspection: the drafter reads `tree`). Their counts sum
  // to tree.count: min(matchCount, k) minus the occurrences with no token after them before the document end.
  readonly continuations: Continuation[];
  ms: number; // time spent searching this source (parallel search: the wall time of the concurrent D_r + D_c pair)
}

/** Why retrieval did or did not run this step (Algorithm 1), for the trace. */
export interface RetrievalDecision {
  cacheActive: boolean; // the cache holds >= l sequences
  cacheHit: boolean; // the cache produced candidates, so the datastores were not searched
  lineStart: boolean; // the next token is the first non-whitespace token of a line
  coin: number | null; // the uniform draw compared with p at a line start (null elsewhere)
  skipped: boolean; // retrieval timing skipped the datastores this step
  missingTableHit: boolean; // the n_max-token suffix is known to find nothing in D_r and D_c
  parallel: boolean; // D_r and D_c were searched concurrently in worker threads
  ms: number; // total retrieval time this step
}

export interface RetrievalResult {
  results: SourceResult[]; // one entry per source searched this step (empty when skipped)
  decision: RetrievalDecision;
}

/** What the decoder tells the retriever after each verification step, to fill the cache. */
export interface StepFeedback {
  tokens: Int32Array; // prompt + everything generated so far, including this step's tokens (a view: read only)
  generatedStart: number; // index in `tokens` of the first generated token
  appended: number; // tokens this step appended (accepted draft tokens + the model's bonus token)
  fromDraft: number; // how many of those came from the draft (the first `fromDraft` of them)
}

/** A draft source with Algorithm 1 inside: `src/` drives it, the Trie consumes its results. */
export interface Retriever {
  /** Start a new generation for `prompt` (per-generation state such as the cache is reset unless scoped to the session). */
  begin(prompt: Int32Array): void;
  /**
   * Candidates for the continuation of `context` (prompt + generated, ending with the last known token). The decoder
   * passes a view of its own buffer, not a copy: read it, never write it; copy what must outlive the call.
   */
  retrieve(context: Int32Array): Promise<RetrievalResult>;
  /** Feed back what was accepted this step. */
  update(feedback: StepFeedback): void;
  /** Stop worker threads, free memory. */
  close(): Promise<void>;
}
