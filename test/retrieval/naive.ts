/** Test oracles: the obvious, slow versions of the suffix sort and the longest-suffix search. */
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
