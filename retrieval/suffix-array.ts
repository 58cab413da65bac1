/**
 * Token-level suffix arrays: SA-IS construction over a stream of documents, and the longest-suffix search of
 * FastCoder / REST. Pure functions on typed arrays, so worker threads can run them over shared memory.
 *
 * The stream layout: every document's token ids followed by `SEPARATOR` (-1), e.g. docs [5 6] and [5] become
 * `[5, 6, -1, 5, -1]`. A search pattern never contains the separator, so no match crosses a document boundary, and
 * continuations stop at it.
 */
import { listMatch } from './continuations';
import type { Continuation, ContinuationTree, TreeMatch } from './types';

/** Ends every document in a token stream; sorts before every token id. */
export const SEPARATOR = -1;

/**
 * Suffix array of `s` (values in [0, upper]) by SA-IS (Nong, Zhang & Chan 2009; layout after the AtCoder library).
 * Example: saIs(Int32Array.from([1, 0, 1, 0]), 1) → [3, 1, 2, 0]  (suffixes "0" < "010" < "10" < "1010")
 */
export function saIs(s: Int32Array, upper: number): Int32Array {
  const n = s.length;
  if (n === 0) return new Int32Array(0);
  if (n === 1) return Int32Array.of(0);
  if (n === 2) return s[0] < s[1] ? Int32Array.of(0, 1) : Int32Array.of(1, 0);
  const ls = lsTypes(s);
  const { sumL, sumS } = bucketStarts(s, ls, upper);
  const sa = new Int32Array(n);
  const lmsMap = new Int32Array(n + 1).fill(-1);
  const lms: number[] = [];
  for (let i = 1; i < n; i++) if (!ls[i - 1] && ls[i]) lmsMap[i] = lms.push(i) - 1;
  induce(s, ls, sa, Int32Array.from(lms), sumL, sumS);
  const m = lms.length;
  if (m === 0) return sa;
  const sortedLms = new Int32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (lmsMap[sa[i]] !== -1) sortedLms[j++] = sa[i];
  const { rec, recUpper } = reduceLms(s, lms, lmsMap, sortedLms);
  const recSa = saIs(rec, recUpper);
  for (let i = 0; i < m; i++) sortedLms[i] = lms[recSa[i]];
  induce(s, ls, sa, sortedLms, sumL, sumS);
  return sa;
}

/** ls[i] = 1 when suffix i is S-type (smaller than suffix i+1). Example: [1, 0, 1] → [0, 1, 0]. */
function lsTypes(s: Int32Array): Uint8Array {
  const n = s.length;
  const ls = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) ls[i] = s[i] === s[i + 1] ? ls[i + 1] : s[i] < s[i + 1] ? 1 : 0;
  return ls;
}

/** Start of each symbol's L-bucket (sumL) and S-bucket (sumS) in the SA. Example: [1, 0, 1] (upper 1) → sumL [0, 1], sumS [0, 3]. */
function bucketStarts(s: Int32Array, ls: Uint8Array, upper: number): { sumL: Int32Array; sumS: Int32Array } {
  const sumL = new Int32Array(upper + 2);
  const sumS = new Int32Array(upper + 2);
  for (let i = 0; i < s.length; i++) {
    if (!ls[i]) sumS[s[i]]++;
    else sumL[s[i] + 1]++;
  }
  for (let i = 0; i <= upper; i++) {
    sumS[i] += sumL[i];
    if (i < upper) sumL[i + 1] += sumS[i];
  }
  return { sumL, sumS };
}

/** Induced sorting: place the LMS suffixes in `lms` order, then induce the L-type and S-type suffixes. */
function induce(s: Int32Array, ls: Uint8Array, sa: Int32Array, lms: Int32Array, sumL: Int32Array, sumS: Int32Array): void {
  const n = s.length;
  sa.fill(-1);
  const buf = Int32Array.from(sumS);
  for (let i = 0; i < lms.length; i++) {
    const d = lms[i];
    if (d !== n) sa[buf[s[d]]++] = d;
  }
  buf.set(sumL);
  sa[buf[s[n - 1]]++] = n - 1;
  for (let i = 0; i < n; i++) {
    const v = sa[i];
    if (v >= 1 && !ls[v - 1]) sa[buf[s[v - 1]]++] = v - 1;
  }
  buf.set(sumL);
  for (let i = n - 1; i >= 0; i--) {
    const v = sa[i];
    if (v >= 1 && ls[v - 1]) sa[--buf[s[v - 1] + 1]] = v - 1;
  }
}

/** Name each LMS substring by its rank among the sorted ones (equal substrings share a name): the reduced string. */
function reduceLms(s: Int32Array, lms: number[], lmsMap: Int32Array, sortedLms: Int32Array): { rec: Int32Array; recUpper: number } {
  const n = s.length;
  const m = lms.length;
  const rec = new Int32Array(m);
  let recUpper = 0;
  rec[lmsMap[sortedLms[0]]] = 0;
  for (let i = 1; i < m; i++) {
    let l = sortedLms[i - 1];
    let r = sortedLms[i];
    const endL = lmsMap[l] + 1 < m ? lms[lmsMap[l] + 1] : n;
    const endR = lmsMap[r] + 1 < m ? lms[lmsMap[r] + 1] : n;
    let same = endL - l === endR - r;
    if (same) {
      while (l < endL && s[l] === s[r]) {
        l++;
        r++;
      }
      if (l === n || s[l] !== s[r]) same = false;
    }
    if (!same) recUpper++;
    rec[lmsMap[sortedLms[i]]] = recUpper;
  }
  return { rec, recUpper };
}

/**
 * Suffix array of a separator-delimited token stream (ids in [0, vocabSize), SEPARATOR between documents).
 * Example: buildSuffixArray(Int32Array.from([5, 6, -1, 5, -1]), 10) → [4, 2, 3, 0, 1]
 *   (the suffixes "-1" < "-1 5 -1" < "5 -1" < "5 6 -1 5 -1" < "6 -1 5 -1")
 */
export function buildSuffixArray(tokens: Int32Array, vocabSize: number, out?: Int32Array): Int32Array {
  const shifted = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t !== SEPARATOR && (t < 0 || t >= vocabSize || !Number.isInteger(t))) {
      throw new Error(`token ${t} at position ${i} is outside the vocabulary [0, ${vocabSize})`);
    }
    shifted[i] = t + 1; // the separator becomes 0, the smallest symbol
  }
  const sa = saIs(shifted, vocabSize);
  if (!out) return sa;
  out.set(sa);
  return out;
}

/** Options of a longest-suffix search. */
export interface SearchOptions {
  nMax: number; // longest context suffix tried (16 in the paper)
  nMin: number; // shortest suffix accepted as a match (2)
  k: number; // at most this many occurrences are turned into continuations (5000)
  span: number; // tokens per continuation (10)
}

/** What one source found, with its continuations listed: `SourceResult` without `source`, `tree` and `ms`. */
export interface SuffixMatch {
  matchLength: number; // longest context suffix found (0 = none of length >= nMin)
  matchCount: number; // occurrences of that suffix (before the k cap)
  continuations: Continuation[]; // distinct non-empty continuations of the first k occurrences, in SA order
}

/** Where the match is in the suffix array: what a search worker sends back (plain numbers, no copy of the stream). */
export interface SuffixRange {
  matchLength: number; // longest context suffix found (0 = none of length >= nMin)
  matchCount: number; // occurrences of that suffix (before the k cap)
  lo: number; // the first k of those occurrences are sa[lo..hi)
  hi: number;
}

/**
 * Compare the pattern with the first `pattern.length` tokens of the suffix at `pos`: negative if the suffix is
 * smaller, 0 if the pattern is its prefix, positive if larger. The stream must end with SEPARATOR.
 * Example: tokens [5, 6, -1], pattern [5, 7]: comparePrefix(tokens, 0, pattern, 0, 2) → -1 (6 < 7).
 */
function comparePrefix(tokens: Int32Array, pos: number, pattern: Int32Array, from: number, to: number): number {
  for (let j = from; j < to; j++, pos++) {
    const d = tokens[pos] - pattern[j];
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Half-open SA range [lo, hi) of the suffixes that start with `pattern[from..to)`, or lo === hi if none.
 * Example: tokens [5, 6, -1, 5, -1], sa [4, 2, 3, 0, 1], pattern [5]: → [2, 4).
 */
export function findRange(tokens: Int32Array, sa: Int32Array, pattern: Int32Array, from: number, to: number): [number, number] {
  let lo = 0;
  let hi = sa.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePrefix(tokens, sa[mid], pattern, from, to) < 0) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  let top = sa.length;
  while (end < top) {
    const mid = (end + top) >>> 1;
    if (comparePrefix(tokens, sa[mid], pattern, from, to) <= 0) end = mid + 1;
    else top = mid;
  }
  return [lo, end];
}

/**
 * The longest suffix of `context` with length in [nMin, nMax] that occurs in the stream, its occurrence count, and the
 * SA range of its first k occurrences. Since a suffix that occurs implies every shorter one occurs, the length is
 * found by binary search over lengths (about log2(nMax) range searches instead of nMax), after the shortest alone: when
 * that one does not occur (a third of the demo tasks' steps), one range search settles it instead of four.
 * Example: tokens [1 2 3 -1 1 2 3 -1 1 2 4 -1], context [9 1 2], nMin 2, k 2 → matchLength 2, matchCount 3, hi - lo 2.
 */
export function findMatch(tokens: Int32Array, sa: Int32Array, context: Int32Array, opts: SearchOptions): SuffixRange {
  const c = context.length;
  let lo = Math.max(1, opts.nMin);
  let hi = Math.min(opts.nMax, c);
  let best: [number, number] | null = null;
  let bestLength = 0;
  if (lo <= hi) {
    const shortest = findRange(tokens, sa, context, c - lo, c);
    if (shortest[1] === shortest[0]) return { matchLength: 0, matchCount: 0, lo: 0, hi: 0 };
    [best, bestLength] = [shortest, lo++];
  }
  while (lo <= hi) {
    const len = (lo + hi) >>> 1;
    const range = findRange(tokens, sa, context, c - len, c);
    if (range[1] > range[0]) {
      best = range;
      bestLength = len;
      lo = len + 1;
    } else hi = len - 1;
  }
  if (!best) return { matchLength: 0, matchCount: 0, lo: 0, hi: 0 };
  return { matchLength: bestLength, matchCount: best[1] - best[0], lo: best[0], hi: Math.min(best[1], best[0] + Math.max(0, opts.k)) };
}

/**
 * The match at `range` with the continuations (up to `span` tokens, cut at the document end) of its occurrences
 * sa[lo..hi) as a tree read straight from the suffix array: their suffixes are sorted, so the occurrences whose
 * continuation begins with a given path are a sub-range, whose size is the path's count, and the children of a node are
 * found by searching that sub-range for the runs of equal tokens at the next offset (SEPARATOR sorts first and ends a
 * continuation). Nothing is copied: a step costs O(nodes expanded × children × log k), not O(k × span).
 * Example: tokens [1 2 3 -1 1 2 3 -1 1 2 4 -1], the range of [1 2], span 10 → root count 3, children 3 (count 2), 4 (1).
 */
export function suffixTreeMatch(tokens: Int32Array, sa: Int32Array, range: SuffixRange, span: number): TreeMatch {
  const stream = { tokens, sa, offset: range.matchLength, span };
  const first = span > 0 && range.hi > range.lo ? runEnd(stream, range.lo, range.hi, 0, SEPARATOR) : range.hi;
  const tree = new SuffixRangeTree(stream, first, range.hi, 0); // the root: occurrences with at least one token after the match
  return { matchLength: range.matchLength, matchCount: range.matchCount, tree };
}

/** The arrays behind a `SuffixRangeTree`; continuations start `offset` tokens after each suffix (the match length). */
interface RangeStream {
  tokens: Int32Array;
  sa: Int32Array;
  offset: number;
  span: number;
}

/** A node of `suffixRangeTree`: the occurrences sa[lo..hi) whose continuations share a path of `depth` tokens. */
class SuffixRangeTree implements ContinuationTree {
  constructor(
    private readonly stream: RangeStream,
    private readonly lo: number,
    private readonly hi: number,
    private readonly depth: number,
  ) {}

  get count(): number {
    return this.hi - this.lo;
  }

  forEachChild(visit: (token: number, child: ContinuationTree) => void): void {
    const { tokens, sa, offset, span } = this.stream;
    if (this.depth >= span) return;
    const at = offset + this.depth;
    for (let i = this.lo; i < this.hi; ) {
      const t = tokens[sa[i] + at];
      const end = runEnd(this.stream, i, this.hi, this.depth, t);
      if (t !== SEPARATOR) visit(t, new SuffixRangeTree(this.stream, i, end, this.depth + 1));
      i = end;
    }
  }
}

/**
 * The end of the run of token `t` at `depth` that starts at `from` (or the run's start if `t` is not there) in
 * sa[from..hi), where the tokens at that depth are sorted: galloping, then binary search, so a run of r costs O(log r).
 * Example: tokens at depth 0 of the range [3, 3, 4] from 0, t 3 → 2.
 */
function runEnd(stream: RangeStream, from: number, hi: number, depth: number, t: number): number {
  const { tokens, sa } = stream;
  const at = stream.offset + depth;
  let below = from - 1; // last index known to hold t (or before the run)
  let step = 1;
  while (below + step < hi && tokens[sa[below + step] + at] === t) {
    below += step;
    step *= 2;
  }
  let above = Math.min(below + step, hi); // first index known to be past the run
  while (above - below > 1) {
    const mid = (below + above) >>> 1;
    if (tokens[sa[mid] + at] === t) below = mid;
    else above = mid;
  }
  return above;
}

/**
 * The longest-suffix search with the continuations listed (for inspection and tests; the drafter reads the tree):
 * the match of `findMatch` and the distinct continuations of its first k occurrences in SA order.
 * Example: tokens [1 2 3 -1 1 2 3 -1 1 2 4 -1], context [9 1 2], nMin 2 →
 *   matchLength 2, matchCount 3, continuations [{[3], 2}, {[4], 1}].
 */
export function searchSuffixArray(tokens: Int32Array, sa: Int32Array, context: Int32Array, opts: SearchOptions): SuffixMatch {
  return listMatch(suffixTreeMatch(tokens, sa, findMatch(tokens, sa, context, opts), opts.span));
}
