/** Test oracles: the obvious, slow versions of the suffix sort and the longest-suffix searches of a stream and of the cache. */
import { SEPARATOR, SearchOptions, SuffixMatch } from '../../retrieval/suffix-array';

/** Suffix start positions sorted by comparing the suffixes token by token (a proper prefix sorts first). */
export function naiveSuffixSort(s: ArrayLike<number>): number[] {
  const idx = Array.from({ length: s.length }, (_, i) => i);
  return idx.sort((a, b) => {
    while (a < s.length && b < s.length) {
      if (s[a] !== s[b]) return s[a] - s[b];
      a++;
      b++;
    }
    return a === s.length ? -1 : 1;
  });
}

/** `docs` random documents of length < maxLen over [0, alphabet), each followed by SEPARATOR. */
export function randomStream(rand: () => number, docs: number, maxLen: number, alphabet: number): Int32Array {
  const out: number[] = [];
  for (let d = 0; d < docs; d++) {
    const len = Math.floor(rand() * maxLen);
    for (let i = 0; i < len; i++) out.push(Math.floor(rand() * alphabet));
    out.push(SEPARATOR);
  }
  return Int32Array.from(out);
}

/** Continuation (≤ span tokens, stopping at SEPARATOR) after position p. */
function continuationAt(stream: ArrayLike<number>, p: number, span: number): number[] {
  const out: number[] = [];
  while (out.length < span && p < stream.length && stream[p] !== SEPARATOR) out.push(stream[p++]);
  return out;
}

/** Longest-suffix search by scanning every position, for every length from nMax down; occurrences in suffix order. */
export function naiveSearch(stream: ArrayLike<number>, context: ArrayLike<number>, opts: SearchOptions): SuffixMatch {
  const c = context.length;
  for (let len = Math.min(opts.nMax, c); len >= Math.max(1, opts.nMin); len--) {
    const starts: number[] = [];
    for (let p = 0; p + len <= stream.length; p++) {
      let ok = true;
      for (let j = 0; j < len && ok; j++) ok = stream[p + j] === context[c - len + j];
      if (ok) starts.push(p);
    }
    if (starts.length === 0) continue;
    const order = naiveSuffixSort(stream);
    const rank = new Map(order.map((pos, r) => [pos, r]));
    starts.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const counts = new Map<string, { tokens: Int32Array; count: number }>();
    for (const p of starts.slice(0, opts.k)) {
      const cont = continuationAt(stream, p + len, opts.span);
      if (cont.length === 0) continue;
      const key = cont.join(' ');
      if (!counts.has(key)) counts.set(key, { tokens: Int32Array.from(cont), count: 0 });
      counts.get(key)!.count++;
    }
    return { matchLength: len, matchCount: starts.length, continuations: [...counts.values()] };
  }
  return { matchLength: 0, matchCount: 0, continuations: [] };
}

/**
 * Reference: scan every live sequence, newest first, positions from the end; same rules as the datastore search, except
 * that an occurrence with nothing after it in its sequence does not count (a cache match always yields a draft).
 */
export function naiveCacheSearch(seqs: number[][], context: number[], opts: SearchOptions): SuffixMatch {
  const c = context.length;
  for (let len = Math.min(opts.nMax, c); len >= Math.max(1, opts.nMin); len--) {
    const hits: [number[], number][] = [];
    for (let s = seqs.length - 1; s >= 0; s--) {
      for (let end = seqs[s].length - 1; end >= len; end--) {
        if (context.slice(c - len).every((t, j) => seqs[s][end - len + j] === t)) hits.push([seqs[s], end]);
      }
    }
    if (hits.length === 0) continue;
    const groups = new Map<string, { tokens: Int32Array; count: number }>();
    for (const [seq, end] of hits.slice(0, opts.k)) {
      const cont = seq.slice(end, end + opts.span);
      if (cont.length === 0) continue;
      const g = groups.get(cont.join(',')) ?? groups.set(cont.join(','), { tokens: Int32Array.from(cont), count: 0 }).get(cont.join(','))!;
      g.count++;
    }
    return { matchLength: len, matchCount: hits.length, continuations: [...groups.values()] };
  }
  return { matchLength: 0, matchCount: 0, continuations: [] };
}

/** A match with its continuations sorted by token path (a proper prefix first), as `listContinuations` lists them. */
export function inTokenOrder(m: SuffixMatch): SuffixMatch {
  const key = (c: { tokens: Int32Array }): number[] => Array.from(c.tokens);
  const order = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  };
  return { ...m, continuations: [...m.continuations].sort((a, b) => order(key(a), key(b))) };
}
