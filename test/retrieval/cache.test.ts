import { seededRandom } from '../../retrieval/timing';
import { backwardMatch, SequenceCache } from '../../retrieval/cache';
import type { SearchOptions } from '../../retrieval/suffix-array';
import { listContinuations } from '../../retrieval/continuations';
import { inTokenOrder, naiveCacheSearch } from './naive';

describe('SequenceCache', () => {
  const opts: SearchOptions = { nMax: 16, nMin: 2, k: 5000, span: 10 };

  test('hand-computed example', () => {
    const cache = new SequenceCache({ nMin: 2, maxSequences: 10, maxTokens: 100 });
    cache.insert(Int32Array.from([1, 2, 3, 4]));
    cache.insert(Int32Array.from([2, 3, 5, 6]));
    const r = cache.search(Int32Array.from([9, 2, 3]), opts);
    expect(r.matchLength).toBe(2);
    expect(r.matchCount).toBe(2);
    expect(r.continuations.map((c) => [Array.from(c.tokens), c.count])).toEqual([[[4], 1], [[5, 6], 1]]); // listed in token order
    expect(cache.search(Int32Array.from([1, 2, 3]), opts).continuations.map((c) => Array.from(c.tokens))).toEqual([[4]]);
    // the tree behind the listing: the 2 most recent occurrences, newest first, as views of the cached sequences
    const { tree } = cache.match(Int32Array.from([9, 2, 3]), { ...opts, k: 1 });
    expect(listContinuations(tree).map((c) => [Array.from(c.tokens), c.count])).toEqual([[[5, 6], 1]]);
  });

  test('a longer match with nothing after it does not hide a shorter one that continues', () => {
    const cache = new SequenceCache({ nMin: 2, maxSequences: 10, maxTokens: 100 });
    cache.insert(Int32Array.from([0, 6, 7, 8])); // [6 7] continues with 8
    cache.insert(Int32Array.from([4, 5, 6, 7])); // [4 5 6 7] matches the whole context but ends there
    const r = cache.search(Int32Array.from([4, 5, 6, 7]), opts);
    expect([r.matchLength, r.matchCount]).toEqual([2, 1]);
    expect(r.continuations.map((c) => [Array.from(c.tokens), c.count])).toEqual([[[8], 1]]);
  });

  test.each([[[1, -2, 3]], [[1, 2.5]], [[2 ** 21]]])('a sequence with a token that is not an id is refused: %j', (seq) => {
    const cache = new SequenceCache({ nMin: 2, maxSequences: 10, maxTokens: 100 });
    expect(() => cache.insert(seq)).toThrow(/cache: token .* is not a token id/);
  });

  test('backwardMatch', () => {
    expect(backwardMatch([9, 2, 3], [1, 2, 3, 4], 3, 16)).toBe(2);
    expect(backwardMatch([1, 2, 3], [1, 2, 3], 3, 2)).toBe(2);
    expect(backwardMatch([7], [1, 2, 3], 3, 16)).toBe(0);
  });

  test.each([
    { nMin: 2, k: 5000, span: 10, maxSequences: 50, maxTokens: 100000 },
    { nMin: 1, k: 3, span: 2, maxSequences: 1000, maxTokens: 300 },
    { nMin: 3, k: 7, span: 4, maxSequences: 20, maxTokens: 100000 },
    { nMin: 2, k: 5000, span: 10, maxSequences: 8, maxTokens: 100000, alphabet: 40, periodic: true },
  ])('equals a naive scan of the live sequences under insertion and eviction: %o', ({ nMin, k, span, maxSequences, maxTokens, alphabet = 5, periodic = false }) => {
    const rand = seededRandom(11 + nMin);
    const cache = new SequenceCache({ nMin, maxSequences, maxTokens });
    const live: number[][] = [];
    let tokens = 0;
    let matched = 0;
    for (let step = 0; step < 400; step++) {
      // periodic: a short random pattern repeated, so a sequence holds the same n-grams several times
      const unit = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => Math.floor(rand() * alphabet));
      const seq = Array.from({ length: 1 + Math.floor(rand() * 30) }, (_, i) => (periodic ? unit[i % unit.length] : Math.floor(rand() * alphabet)));
      cache.insert(Int32Array.from(seq));
      live.push(seq);
      tokens += seq.length;
      while (live.length > maxSequences || (tokens > maxTokens && live.length > 1)) tokens -= live.shift()!.length;
      expect([cache.size, cache.tokens]).toEqual([live.length, tokens]);
      const context = Array.from({ length: Math.floor(rand() * 20) }, (_, i) => (periodic && rand() < 0.8 ? unit[i % unit.length] : Math.floor(rand() * alphabet)));
      const o = { nMax: 16, nMin, k, span };
      const got = cache.search(Int32Array.from(context), o);
      expect(inTokenOrder(got)).toEqual(inTokenOrder(naiveCacheSearch(live, context, o)));
      if (got.matchLength > 0) matched++;
    }
    expect(matched).toBeGreaterThan(200);
  });

  test('evicting a sequence that repeats an n-gram no other sequence holds', () => {
    // [1 2 1 2 9] indexes bigram (1, 2) twice; its first removal empties that key, the second must not crash
    const cache = new SequenceCache({ nMin: 2, maxSequences: 1, maxTokens: 1000 });
    cache.insert(Int32Array.from([1, 2, 1, 2, 9]));
    cache.insert(Int32Array.from([3, 4, 3, 5]));
    expect([cache.size, cache.tokens]).toEqual([1, 4]);
    expect(cache.search(Int32Array.from([1, 2]), opts).matchLength).toBe(0);
    expect(cache.search(Int32Array.from([4, 3]), opts).matchLength).toBe(2);
  });

  test('evicted sequences are no longer found; clear empties it', () => {
    const cache = new SequenceCache({ nMin: 2, maxSequences: 2, maxTokens: 1000 });
    cache.insert(Int32Array.from([7, 8, 9]));
    cache.insert(Int32Array.from([1, 2, 3]));
    expect(cache.search(Int32Array.from([7, 8]), opts).matchLength).toBe(2);
    cache.insert(Int32Array.from([4, 5, 6]));
    expect(cache.search(Int32Array.from([7, 8]), opts).matchLength).toBe(0);
    cache.clear();
    expect([cache.size, cache.tokens, cache.search(Int32Array.from([4, 5]), opts).matchLength]).toEqual([0, 0, 0]);
  });
});
