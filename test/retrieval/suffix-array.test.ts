import { seededRandom } from '../../retrieval/timing';
import { buildSuffixArray, saIs, searchSuffixArray, SEPARATOR, SearchOptions } from '../../retrieval/suffix-array';
import { naiveSearch, naiveSuffixSort, randomStream } from './naive';

describe('saIs equals the naive suffix sort', () => {
  const rand = seededRandom(1);
  const cases: [string, () => Int32Array, number][] = [];
  for (const alphabet of [2, 3, 5, 50, 1000, 50000]) {
    for (let i = 0; i < 400; i++) {
      const n = Math.floor(rand() ** 2 * 2001);
      cases.push([`random a=${alphabet}`, () => Int32Array.from({ length: n }, () => Math.floor(rand() * alphabet)), alphabet - 1]);
    }
  }
  for (const n of [0, 1, 2, 3, 10, 100, 2000]) cases.push([`aaaa n=${n}`, () => new Int32Array(n).fill(7), 7]);
  for (const period of [2, 3, 7, 64]) {
    for (const n of [5, 97, 1999]) {
      const base = Array.from({ length: period }, () => Math.floor(rand() * 4));
      cases.push([`periodic p=${period} n=${n}`, () => Int32Array.from({ length: n }, (_, i) => base[i % period]), 3]);
    }
  }
  cases.push(['abab...ba', () => Int32Array.from({ length: 1501 }, (_, i) => (i % 2) ^ (i === 1500 ? 1 : 0)), 1]);

  test(`${cases.length} inputs`, () => {
    let checked = 0;
    for (const [name, make, upper] of cases) {
      const s = make();
      const got = Array.from(saIs(s, upper));
      const want = naiveSuffixSort(s);
      if (got.join() !== want.join()) throw new Error(`${name} (n=${s.length}): saIs differs from the naive sort`);
      checked++;
    }
    expect(checked).toBeGreaterThan(2400);
  });

  test('hand-computed: banana-like [1 0 1 0]', () => {
    expect(Array.from(saIs(Int32Array.from([1, 0, 1, 0]), 1))).toEqual([3, 1, 2, 0]);
  });
});

describe('buildSuffixArray over documents', () => {
  test('hand-computed: [5 6 | 5 |]', () => {
    expect(Array.from(buildSuffixArray(Int32Array.from([5, 6, SEPARATOR, 5, SEPARATOR]), 10))).toEqual([4, 2, 3, 0, 1]);
  });
  test('rejects ids outside the vocabulary', () => {
    expect(() => buildSuffixArray(Int32Array.from([3, 10, SEPARATOR]), 10)).toThrow(/token 10 at position 1 is outside/);
  });
  test('equals the naive sort with separators, alphabet 32256', () => {
    const rand = seededRandom(2);
    for (let t = 0; t < 50; t++) {
      const s = randomStream(rand, 1 + Math.floor(rand() * 30), 60, 3 + Math.floor(rand() * 32253));
      expect(Array.from(buildSuffixArray(s, 32256))).toEqual(naiveSuffixSort(s));
    }
  });
});

describe('searchSuffixArray equals a naive scan', () => {
  test('hand-computed example', () => {
    const tokens = Int32Array.from([1, 2, 3, -1, 1, 2, 3, -1, 1, 2, 4, -1]);
    const r = searchSuffixArray(tokens, buildSuffixArray(tokens, 5), Int32Array.from([9, 1, 2]), { nMax: 16, nMin: 2, k: 5000, span: 10 });
    expect(r.matchLength).toBe(2);
    expect(r.matchCount).toBe(3);
    expect(r.continuations.map((c) => [Array.from(c.tokens), c.count])).toEqual([[[3], 2], [[4], 1]]);
  });

  const rand = seededRandom(3);
  const cases: { alphabet: number; opts: SearchOptions }[] = [];
  for (const alphabet of [2, 3, 6, 20]) {
    for (const [nMax, nMin, k, span] of [[16, 2, 5000, 10], [4, 1, 3, 2], [8, 3, 1, 1], [16, 2, 7, 5]]) {
      cases.push({ alphabet, opts: { nMax, nMin, k, span } });
    }
  }
  test.each(cases)('alphabet $alphabet, $opts', ({ alphabet, opts }) => {
    for (let t = 0; t < 40; t++) {
      const stream = randomStream(rand, Math.floor(rand() * 12), 80, alphabet);
      const sa = buildSuffixArray(stream, alphabet);
      for (let q = 0; q < 20; q++) {
        const context = Int32Array.from({ length: Math.floor(rand() * 24) }, () => Math.floor(rand() * alphabet));
        const got = searchSuffixArray(stream, sa, context, opts);
        const want = naiveSearch(stream, context, opts);
        const norm = (r: typeof got) => ({ ...r, continuations: r.continuations.map((c) => [Array.from(c.tokens).join(' '), c.count]) });
        expect(norm(got)).toEqual(norm(want));
      }
    }
  });
});
