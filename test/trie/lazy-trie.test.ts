/**
 * The lazily expanded Trie (source trees read from suffix arrays and lists) against the naive one that inserts every
 * continuation (`naive-trie.ts`), fed by the naive searches of `test/retrieval/naive.ts`: the same draft tree, field by
 * field and bit for bit, on random corpora with separators, span and k caps, several sources of one kind (backoff),
 * normalised scales, smoothing, the cache, prompt lookup and fractional inserts.
 */
import { SequenceCache } from '../../retrieval/cache';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { SEPARATOR, type SearchOptions, type SuffixMatch } from '../../retrieval/suffix-array';
import { seededRandom } from '../../retrieval/timing';
import type { TreeMatch } from '../../retrieval/types';
import { promptLookup } from '../../src/decode/prompt-lookup';
import { WeightedTrie, type Smoothing, type TrieSource, type TrieWeights } from '../../trie/weighted-trie';
import { naiveCacheSearch, naiveSearch } from '../retrieval/naive';
import { NaiveTrie } from './naive-trie';

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

function randomDocs(rand: () => number, alphabet: number): number[][] {
  return Array.from({ length: 1 + Math.floor(rand() * 10) }, () => Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * alphabet)));
}

/** A source searched both ways: the library's tree and the naive listing. */
interface Found {
  source: TrieSource;
  lazy: TreeMatch;
  naive: SuffixMatch;
}

/** Feed both tries the same sources (scale 1 / total when normalising) and inserts; both select `budget`. */
function bothTrees(found: Found[], inserts: [number[], TrieSource, number][], weights: TrieWeights, normalise: boolean, budget: number, smoothing: Smoothing = {}) {
  const lazy = new WeightedTrie(weights, smoothing);
  const naive = new NaiveTrie();
  for (const { source, lazy: l, naive: n } of found) {
    expect([l.matchLength, l.matchCount]).toEqual([n.matchLength, n.matchCount]);
    const total = n.continuations.reduce((s, c) => s + c.count, 0);
    expect(l.tree.count).toBe(total);
    if (total === 0) continue;
    const scale = normalise ? 1 / total : 1;
    lazy.add(l.tree, source, scale);
    const part = naive.part(source, scale);
    for (const c of n.continuations) naive.insert(c.tokens, part, c.count);
  }
  const parts = new Map<TrieSource, number>(); // inserts: one part per source, after the added trees, in first-insert order
  for (const [tokens, source, count] of inserts) {
    lazy.insert(tokens, source, count);
    if (!parts.has(source)) parts.set(source, naive.part(source));
    naive.insert(tokens, parts.get(source)!, count);
  }
  return { lazy: lazy.select(budget), naive: naive.select(budget, weights, smoothing) };
}

describe('lazy Trie equals the naive insert-everything Trie', () => {
  test.each(Array.from({ length: 12 }, (_, i) => i + 1))('seed %i: 60 random steps', (seed) => {
    const rand = seededRandom(seed * 7919);
    let nonEmpty = 0;
    for (let trial = 0; trial < 60; trial++) {
      const alphabet = pick(rand, [2, 3, 5, 12]);
      const repoDocs = randomDocs(rand, alphabet);
      const commonDocs = randomDocs(rand, alphabet);
      const repo = datastoreFromDocuments(repoDocs.map((tokens, i) => ({ path: `r${i}`, tokens })), alphabet, 'h');
      const common = datastoreFromDocuments(commonDocs.map((tokens, i) => ({ path: `c${i}`, tokens })), alphabet, 'h');
      const nMin = 1 + Math.floor(rand() * 2);
      const cacheSeqs = Array.from({ length: Math.floor(rand() * 8) }, () => Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * alphabet)));
      const cache = new SequenceCache({ nMin, maxSequences: 100, maxTokens: 100000 });
      for (const s of cacheSeqs) cache.insert(s);
      // half the contexts end with a corpus slice, so that long matches occur
      const docs = [...repoDocs, ...commonDocs].filter((d) => d.length > 0);
      const tail = rand() < 0.5 && docs.length > 0 ? pick(rand, docs).slice(0, 1 + Math.floor(rand() * 12)) : [];
      const context = [...Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * alphabet)), ...tail];
      const opts: SearchOptions = { nMax: nMin + Math.floor(rand() * 8), nMin, k: pick(rand, [1, 2, 3, 5, 1000]), span: pick(rand, [1, 2, 3, 6, 16]) };
      const backoff: SearchOptions = { ...opts, nMax: Math.max(nMin, 2), k: pick(rand, [1, 4, 1000]) };
      const ctx = Int32Array.from(context);
      const found: Found[] = [
        { source: 'repo', lazy: repo.match(ctx, opts), naive: naiveSearch(repo.tokens, context, opts) },
        { source: 'common', lazy: common.match(ctx, opts), naive: naiveSearch(common.tokens, context, opts) },
        { source: 'common', lazy: common.match(ctx, backoff), naive: naiveSearch(common.tokens, context, backoff) },
        { source: 'cache', lazy: cache.match(ctx, opts), naive: naiveCacheSearch(cacheSeqs, context, opts) },
      ];
      const inserts: [number[], TrieSource, number][] = [];
      const chain = promptLookup(context, { maxNgram: 2, draftLength: Math.floor(rand() * 6), latest: true });
      if (chain.length > 0) inserts.push([chain, 'lookup', 1]);
      if (rand() < 0.3) inserts.push([[0, 1], 'cache', 0.1], [[0], 'cache', 0.2], [[0, 1, 1], 'cache', 0.7]); // fractional sums
      const weights = { alpha: pick(rand, [0, 0.5, 1, 2]), beta: pick(rand, [0, 1, 3]), gamma: pick(rand, [0, 1, 0.3]) };
      const budget = pick(rand, [0, 1, 3, 7, 64, 1000]);
      const smoothing: Smoothing = pick(rand, [{}, { common: 3, cache: 1, lookup: 1 }, { repo: 0.5, common: 10 }, { cache: 0.1, lookup: 2 }]);
      const { lazy, naive } = bothTrees(found, inserts, weights, rand() < 0.5, budget, smoothing);
      expect(lazy).toEqual(naive);
      if (lazy.tokens.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(20);
  });

  test('k smaller than the match count: only the first k occurrences in SA order count', () => {
    // [1 2] occurs 4 times; in SA order followed by the document end (SEPARATOR sorts first), [3 5], [3 6], [4 1]:
    // k = 3 keeps the empty continuation (which counts nowhere) and the two [3 …]
    const ds = datastoreFromDocuments([{ path: 'a', tokens: [1, 2, 3, 5, 1, 2, 3, 6, 1, 2, 4, 1, 2] }], 8, 'h');
    const m = ds.match(Int32Array.from([1, 2]), { nMax: 4, nMin: 2, k: 3, span: 2 });
    expect([m.matchLength, m.matchCount, m.tree.count]).toEqual([2, 4, 2]);
    const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
    trie.add(m.tree, 'repo');
    const tree = trie.select(64);
    expect([tree.tokens, tree.parents, tree.weights]).toEqual([[3, 5, 6], [-1, 0, 0], [2, 1, 1]]);
    const all = ds.match(Int32Array.from([1, 2]), { nMax: 4, nMin: 2, k: 4, span: 1 });
    expect(all.tree.count).toBe(3);
    const t2 = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
    t2.add(all.tree, 'repo');
    expect(t2.select(64).tokens).toEqual([3, 4]); // span 1: no grandchildren
  });

  test('hand-computed: D_r and D_c merged by token, normalised, with a lookup chain', () => {
    const repo = datastoreFromDocuments([{ path: 'a', tokens: [7, 1, 2, 7, 1, 3] }], 8, 'h'); // after [7]: [1 2 7 1 3], [1 3]
    const common = datastoreFromDocuments([{ path: 'b', tokens: [7, 2, 7, 2, 7, 1] }], 8, 'h'); // after [7]: [2 7 2 7 1], [2 7 1], [1]
    const opts = { nMax: 1, nMin: 1, k: 100, span: 2 };
    const r = repo.match(Int32Array.from([7]), opts);
    const c = common.match(Int32Array.from([7]), opts);
    expect([r.tree.count, c.tree.count]).toEqual([2, 3]);
    const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
    trie.add(r.tree, 'repo', 1 / 2);
    trie.add(c.tree, 'common', 1 / 3);
    trie.insert([1, 2], 'lookup', 1);
    const tree = trie.select(4);
    // 1: repo 2/2 + common 1/3 + lookup 1; 1,2: repo 1/2 + lookup 1; 2: common 2/3; 2,7: common 2/3; 1,3: repo 1/2
    expect(tree.tokens).toEqual([1, 2, 2, 7]);
    expect(tree.parents).toEqual([-1, 0, -1, 2]);
    expect(tree.depths).toEqual([0, 1, 0, 1]);
    expect(tree.weights).toEqual([1 + 1 / 3 + 1, 1 / 2 + 1, 2 / 3, 2 / 3]);
    expect(tree.counts).toEqual({ repo: [1, 0.5, 0, 0], common: [1 / 3, 0, 2 * (1 / 3), 2 * (1 / 3)], cache: [0, 0, 0, 0], lookup: [1, 1, 0, 0] });
  });

  test('a separator ends a continuation; the tree never reads past it', () => {
    const ds = datastoreFromDocuments([{ path: 'a', tokens: [4, 5] }, { path: 'b', tokens: [4, 5, 6] }, { path: 'c', tokens: [4] }], 8, 'h');
    const m = ds.match(Int32Array.from([4]), { nMax: 1, nMin: 1, k: 10, span: 5 });
    expect(ds.tokens[ds.documents[2].start + 1]).toBe(SEPARATOR);
    expect([m.matchCount, m.tree.count]).toEqual([3, 2]);
    const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
    trie.add(m.tree, 'common');
    expect(trie.select(64).tokens).toEqual([5, 6]);
  });

  test('bad scale is rejected with a clear message', () => {
    const m = datastoreFromDocuments([{ path: 'a', tokens: [1, 2] }], 3, 'h').match(Int32Array.from([1]), { nMax: 1, nMin: 1, k: 1, span: 1 });
    expect(() => new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 }).add(m.tree, 'repo', 0)).toThrow(/scale must be > 0/);
    expect(() => new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 }).add(m.tree, 'web' as TrieSource)).toThrow(/unknown source 'web'/);
  });
});
