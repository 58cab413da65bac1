import { datastoreFromDocuments } from '../../retrieval/datastore';
import { buildSuffixArray, findRange } from '../../retrieval/suffix-array';
import {
  acceptedLength, addStats, firstDifference, groupContinuations, sourceKey, NaiveCache, occurrenceContinuations, occurrenceOrder, OUR_RULES, PrefixCounter, selectDraft, simulate, type TieRule,
} from '../../scripts/explain-oracle';

const keys = (entries: { tokens: number[] }[]) => entries.map((e) => e.tokens.join(','));

test('PrefixCounter: every prefix counted, first-insertion order, child index along the path', () => {
  const c = new PrefixCounter();
  c.add([5, 6], 2);
  c.add([5, 7], 1);
  c.add([4], 1);
  expect([...c.entries.values()].map((e) => [e.tokens.join(','), e.count, e.order, e.childPath.join(',')])).toEqual([
    ['5', 3, 0, '0'],
    ['5,6', 2, 1, '0,0'],
    ['5,7', 1, 2, '0,1'],
    ['4', 1, 3, '1'],
  ]);
});

test('selectDraft: count desc, depth asc, then each tie rule; the cut inside a tie is reported', () => {
  const flat = new PrefixCounter();
  for (const t of [9, 3, 7]) flat.add([t], 1);
  const two = (ties: TieRule) => selectDraft(flat, 2, ties);
  expect(keys(two('path').selected)).toEqual(['3', '7']);
  expect(keys(two('path-desc').selected)).toEqual(['9', '7']);
  expect(keys(two('insertion').selected)).toEqual(['9', '3']);
  expect(keys(two('reverse').selected)).toEqual(['7', '3']);
  expect(two('path').tieAtCut).toBe(true);
  expect(selectDraft(flat, 3, 'path').tieAtCut).toBe(false); // nothing left out

  // insertion and trie order differ: depth-1 prefixes inserted 1,8 then 2,9 then 1,7; the trie visits 1's children first
  const deep = new PrefixCounter();
  deep.add([1, 8], 1);
  deep.add([2, 9], 1);
  deep.add([1, 7], 1);
  expect(keys(selectDraft(deep, 4, 'insertion').selected)).toEqual(['1', '2', '1,8', '2,9']);
  expect(keys(selectDraft(deep, 4, 'trie').selected)).toEqual(['1', '2', '1,8', '1,7']);
  expect(keys(selectDraft(deep, 4, 'path').selected)).toEqual(['1', '2', '1,7', '1,8']);
  expect(keys(selectDraft(deep, 4, 'path-desc').selected)).toEqual(['1', '2', '2,9', '1,8']);
});

test('acceptedLength: the longest selected prefix equal to the target from pos, capped', () => {
  const c = new PrefixCounter();
  c.add([5, 6], 1);
  const { selected } = selectDraft(c, 64, 'path');
  expect(acceptedLength(selected, [5, 6, 7], 0, 10)).toBe(2);
  expect(acceptedLength(selected, [5, 6, 7], 0, 1)).toBe(1);
  expect(acceptedLength(selected, [0, 5, 6], 1, 10)).toBe(2);
  expect(acceptedLength(selected, [6], 0, 10)).toBe(0);
});

test('occurrenceOrder / occurrenceContinuations: separator lowest (SA), highest, stream order', () => {
  // files [1 2], [1 2], [1 2 3] at 0, 3, 6
  const tokens = Int32Array.from([1, 2, -1, 1, 2, -1, 1, 2, 3, -1]);
  const sa = buildSuffixArray(tokens, 10);
  const [lo, hi] = findRange(tokens, sa, Int32Array.from([1, 2]), 0, 2);
  expect(hi - lo).toBe(3);
  // SA: "1 2 -1 1 2 -1 ..." (0) < "1 2 -1 1 2 3" (3) < "1 2 3" (6)
  expect(occurrenceOrder(tokens, sa, lo, hi, 2, 'sa')).toEqual([0, 3, 6]);
  // separator last: 6 first; 0 vs 3 read on past their separators: "1 2 -1 ..." vs "1 2 3": 3 < sep, so 3 before 0
  expect(occurrenceOrder(tokens, sa, lo, hi, 2, 'sep-high')).toEqual([6, 3, 0]);
  expect(occurrenceOrder(tokens, sa, lo, hi, 2, 'text')).toEqual([0, 3, 6]);
  // k = 2: the SA's first two have no token after the match (dropped); separator-last keeps the [3]
  expect(occurrenceContinuations(tokens, sa, lo, hi, 2, 2, 10, 'sa').map((c) => Array.from(c))).toEqual([]);
  expect(occurrenceContinuations(tokens, sa, lo, hi, 2, 2, 10, 'sep-high').map((c) => Array.from(c))).toEqual([[3]]);
  // continuations stop at the span and at the file end
  expect(occurrenceContinuations(tokens, sa, lo, hi, 1, 5, 1, 'sa').map((c) => Array.from(c))).toEqual([[2], [2], [2]]);
});

test('NaiveCache: longest suffix with a token after it, most recent occurrence first (or oldest first)', () => {
  const cache = new NaiveCache();
  cache.sequences.push([1, 2, 3, 4], [0, 2, 3, 5, 6]);
  expect(cache.search([9, 2, 3], false)).toEqual([[5, 6], [4]]);
  expect(cache.search([9, 2, 3], true)).toEqual([[4], [5, 6]]);
  expect(cache.search([1, 2, 3], false)).toEqual([[4]]); // 3 tokens beat 2
  expect(cache.search([3, 4], false)).toEqual([]); // occurs, but nothing after it
  expect(cache.search([9, 4], false)).toEqual([]);
});

test('simulate: teacher forcing on a one-file D_c; accepted + 1 tokens per step, fewer at the end', () => {
  const common = datastoreFromDocuments([{ path: 'a', tokens: [1, 2, 3, 4, 5] }], 10, 'h');
  const mode = { common, cache: false, cacheFrom: 50, coin: null };
  // [1 2] → continuation [3 4 5]: all three accepted, EOS (9) is the bonus: one step
  const all = simulate([1, 2], [3, 4, 5, 9], mode, OUR_RULES);
  expect(all.tokens).toBe(4);
  expect(all.steps.map((s) => s.accepted)).toEqual([3]);
  // [3 4] accepted, 6 is the bonus; then [4 6] occurs nowhere: one token (EOS)
  const two = simulate([1, 2], [3, 4, 6, 9], mode, OUR_RULES);
  expect(two.steps.map((s) => [s.accepted, s.source])).toEqual([[2, 'datastores'], [0, 'datastores']]);
  expect(two.tokens).toBe(4);
  // a coin that always skips: no draft at all
  expect(simulate([1, 2], [3, 4, 5, 9], { ...mode, coin: () => true }, OUR_RULES).steps.length).toBe(4);
});

test('firstDifference', () => {
  expect(firstDifference([1, 2], [1, 3])).toBe(1);
  expect(firstDifference([1, 2], [1, 2])).toBe(-1);
  expect(firstDifference([1, 2], [1, 2, 0])).toBe(2);
});

test('occurrenceContinuations, separator last: the shallow partition gives the counts of the full sort', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let trial = 0; trial < 20; trial++) {
    const stream: number[] = [];
    for (let i = 0; i < 400; i++) stream.push(rand() < 0.1 ? -1 : Math.floor(rand() * 3));
    stream.push(-1);
    const tokens = Int32Array.from(stream);
    const sa = buildSuffixArray(tokens, 3);
    for (const pattern of [[0], [1, 2], [2, 0]]) {
      const [lo, hi] = findRange(tokens, sa, Int32Array.from(pattern), 0, pattern.length);
      for (const k of [1, 5, 17]) {
        const span = 3;
        const fast = occurrenceContinuations(tokens, sa, lo, hi, pattern.length, k, span, 'sep-high').map((c) => c.join(',')).sort();
        const exact = occurrenceOrder(tokens, sa, lo, hi, pattern.length, 'sep-high').slice(0, k)
          .map((s) => { const out: number[] = []; for (let j = s + pattern.length; out.length < span && tokens[j] !== -1; j++) out.push(tokens[j]); return out.join(','); })
          .filter((c) => c.length > 0).sort();
        expect(fast).toEqual(exact);
      }
    }
  }
});

test('statistics named as the reference\'s: sources of accepted tokens, cache and coin counts', () => {
  expect(sourceKey(3)).toBe('r+c');
  expect(sourceKey(4)).toBe('cache');
  const stats: Record<string, number> = {};
  const step = { tieAtCut: false, cacheSearched: false, lineStart: false, noMatch: false };
  addStats(stats, [
    { ...step, accepted: 2, source: 'datastores', acceptedSources: [3, 1] },
    { ...step, accepted: 0, source: 'skipped', lineStart: true, acceptedSources: [] },
    { ...step, accepted: 1, source: 'cache', cacheSearched: true, acceptedSources: [4] },
    { ...step, accepted: 0, source: 'datastores', cacheSearched: true, noMatch: true, acceptedSources: [] },
  ]);
  expect(stats).toEqual({ tasks: 1, steps: 4, no_match: 1, skip_rule_pos: 1, skipped: 1, tasks_cache_ready: 1, cache_searched: 2, cache_hit: 1, 'r+c': 1, r: 1, cache: 1 });
  // the one-file D_c run: the first step's three accepted tokens came from D_c
  const common = datastoreFromDocuments([{ path: 'a', tokens: [1, 2, 3, 4, 5] }], 10, 'h');
  expect(simulate([1, 2], [3, 4, 5, 9], { common, cache: false, cacheFrom: 50, coin: null }, OUR_RULES).steps[0].acceptedSources).toEqual([2, 2, 2]);
});

test('groupContinuations: first-occurrence order, or most frequent first (stable)', () => {
  const g = (byCount: boolean) => groupContinuations([[1], [2], [2], [3, 4]], byCount).map((x) => [Array.from(x.tokens).join(','), x.count]);
  expect(g(false)).toEqual([['1', 1], ['2', 2], ['3,4', 1]]);
  expect(g(true)).toEqual([['2', 2], ['1', 1], ['3,4', 1]]);
});

test('simulate: a tie at the cut resolved for the target at one step (flip) and under a tie rule', () => {
  // files [1 2 3 4] and [1 2 5 6]: after [1 2] the prefixes [3] and [5] tie (count 1, depth 0); budget 1 keeps one
  const common = datastoreFromDocuments([{ path: 'a', tokens: [1, 2, 3, 4] }, { path: 'b', tokens: [1, 2, 5, 6] }], 10, 'h');
  const mode = { common, cache: false, cacheFrom: 50, coin: null };
  const target = [5, 6, 9];
  const run = (rules: Partial<typeof OUR_RULES>) => simulate([1, 2], target, mode, { ...OUR_RULES, ...rules }, 1).steps.map((s) => [s.accepted, s.tieAtCut]);
  // path keeps [3]: nothing accepted, bonus 5; then [2 5] → [6] accepted, EOS the bonus
  expect(run({})).toEqual([[0, true], [1, false]]);
  // resolved for the target at step 0 (or path descending): [5] accepted; then [2 5 6] ends its file: no draft
  expect(run({ flip: { step: 0, ties: 'best' } })).toEqual([[1, true], [0, false]]);
  expect(run({ ties: 'path-desc' })).toEqual([[1, true], [0, false]]);
  expect(run({ flip: { step: 1, ties: 'best' } })).toEqual([[0, true], [1, false]]); // no tie there: nothing changes
});
