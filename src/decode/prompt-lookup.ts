/**
 * Prompt lookup decoding (PLD; Saxena 2023, github.com/apoorvumang/prompt-lookup-decoding; transformers'
 * `PromptLookupCandidateGenerator`): find the last n-gram of the context earlier in the context (prompt + output) and
 * propose the tokens that followed it, as one chain. As in transformers, n goes from `maxNgram` down to 1, the leftmost
 * earlier occurrence wins, and the proposal is cut at the end of the context.
 */

export interface PromptLookupOptions {
  maxNgram: number; // longest n-gram tried (reference implementation: 3)
  draftLength: number; // tokens proposed after the match (reference implementation: 10)
  latest?: boolean; // take the most recent earlier occurrence instead of the leftmost (fastcoder-plus; default false)
}

export const DEFAULT_PROMPT_LOOKUP: PromptLookupOptions = { maxNgram: 3, draftLength: 10 };

/**
 * The draft chain for `context` (empty if no n-gram recurs).
 *
 * Example: promptLookup([1, 2, 3, 9, 1, 2], { maxNgram: 3, draftLength: 2 }) → [3, 9]
 *   (the 3-gram [9, 1, 2] never recurs; the 2-gram [1, 2] occurs at 0, followed by 3, 9)
 */
export function promptLookup(context: ArrayLike<number>, opts: PromptLookupOptions): number[] {
  const len = context.length;
  for (let n = Math.min(opts.maxNgram, len - 1); n >= 1; n--) {
    const start = opts.latest ? latestOccurrence(context, n) : earliestOccurrence(context, n);
    if (start >= 0) {
      const end = Math.min(start + n + opts.draftLength, len);
      return Array.from({ length: end - start - n }, (_, j) => context[start + n + j]);
    }
  }
  return [];
}

/** Leftmost start of an earlier occurrence of the last n tokens, or -1. Example: ([1, 2, 1, 2, 1, 2], 2) → 0 */
function earliestOccurrence(context: ArrayLike<number>, n: number): number {
  for (let start = 0; start + n < context.length; start++) if (matchesSuffix(context, start, n)) return start;
  return -1;
}

/** Rightmost start of an earlier occurrence of the last n tokens (not the suffix itself), or -1. Example: ([1, 2, 1, 2, 1, 2], 2) → 2 */
function latestOccurrence(context: ArrayLike<number>, n: number): number {
  for (let start = context.length - n - 1; start >= 0; start--) if (matchesSuffix(context, start, n)) return start;
  return -1;
}

/** Whether context[start, start + n) equals the last n tokens. Example: ([4, 5, 4, 5], 0, 2) → true */
function matchesSuffix(context: ArrayLike<number>, start: number, n: number): boolean {
  const offset = context.length - n;
  for (let j = 0; j < n; j++) if (context[start + j] !== context[offset + j]) return false;
  return true;
}
