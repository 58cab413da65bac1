import { type DraftTree, emptyTree } from '../../trie/draft-tree';
import { WeightedTrie } from '../../trie/weighted-trie';
import { BudgetChooser, evidence, freshRanks, freshScales, kappaGroup, learnedAs, openBudget, parseBudget, MIN_SAMPLES, rankBucket, SAMPLE_AGE, sizeClass, trimTree, weightRatios } from '../../src/decode/budget';
import { type CostProfile, flatProfile, PROFILE_FORMAT, profileKey, stepMs } from '../../src/decode/cost-model';
import { generate } from '../../src/decode/generate';
import { createOracle } from '../../src/decode/oracle';
import type { StepTrace } from '../../src/trace/types';
import { charTokenizer, ScriptedRetriever, sourceResult } from './helpers';

/** A profile from hand-made [rows, ms] points. */
const curve = (points: [number, number][], rowMs = 0): CostProfile => ({ format: PROFILE_FORMAT, key: profileKey('test', 'hand-made'), curves: [{ context: 0, points }], spread: 0, rowMs, readMs: [], measuredAt: '' });
/** One CPU-like curve: ~10 ms for one row, +1 ms per row, with a jump every 4 rows. */
const STEEP = curve([[1, 10], [2, 11], [4, 13], [5, 19], [8, 22], [9, 28], [65, 150]]);

/** A tree from continuations [tokens, count] (one source), in rank order, with the Trie's own selection. */
function treeOf(conts: [number[], number][], budget = 1000): DraftTree {
  const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
  for (const [tokens, count] of conts) trie.insert(tokens, 'repo', count);
  return trie.select(budget);
}
const chain = (n: number, from = 100) => Array.from({ length: n }, (_, i) => from + i);
const fakeClock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

/** The scales' tests: a chooser on a flat 10 ms curve, a one-node tree, and steps that take the given ms. */
function learningChooser() {
  const profile = curve([[1, 10], [2, 10]]);
  const good = treeOf([[chain(1), 1]]);
  const clock = fakeClock();
  const scales = freshScales();
  const c = new BudgetChooser(profile, () => 0, clock.now, scales);
  const treeStep = (ms: number) => {
    expect(c.choose(good).nodes).toBe(1);
    clock.advance(ms);
    c.observe(good, [100, 7]);
  };
  const greedyStep = (ms: number) => {
    c.skipped();
    clock.advance(ms);
    c.observe(emptyTree(), [7]);
  };
  return { profile, good, scales, c, treeStep, greedyStep };
}

describe('budget chooser', () => {
  test('parseBudget: auto, integers, and a clear error otherwise', () => {
    expect(parseBudget('auto')).toBe('auto');
    expect(parseBudget('15')).toBe(15);
    expect(() => parseBudget('1.5')).toThrow("--budget: expected a non-negative integer or 'auto', got '1.5'");
    expect(() => parseBudget('')).toThrow('--budget');
  });

  test('trimTree keeps the rank-order prefix; weightRatios are shares of the parent (root: of all root children)', () => {
    const tree = treeOf([[[5, 6], 2], [[5, 7], 1], [[8], 1]]); // rank: 5 (3), 6 (2), 8 (1, depth 0), 7 (1, depth 1)
    expect(tree.tokens).toEqual([5, 6, 8, 7]);
    expect(weightRatios(tree)).toEqual([0.75, 2 / 3, 0.25, 1 / 3]);
    const t = trimTree(tree, 2);
    expect([t.tokens, t.parents, t.weights, t.counts.repo]).toEqual([[5, 6], [-1, 0], [3, 2], [3, 2]]);
    expect(trimTree(tree, 10)).toBe(tree);
  });

  test('hand case: chain of 3 seen once, at the few-evidence priors (P = 0.6, 0.36, 0.216), picks the argmax of expected tokens per ms', () => {
    const c = new BudgetChooser(curve([[1, 10], [2, 11], [3, 12], [4, 20]]), () => 0);
    const tree = treeOf([[chain(3), 1]]);
    expect(c.nodeProbabilities(tree).map((p) => +p.toFixed(6))).toEqual([0.6, 0.36, 0.216]);
    // rates: n=0 1/10, n=1 1.6/11, n=2 1.96/12 (best), n=3 2.176/20
    const best = c.choose(tree);
    expect(best.nodes).toBe(2);
    expect(best.expectedTokens).toBeCloseTo(1.96, 10);
    expect(best.expectedMs).toBeCloseTo(12, 10);
    expect(best.expected.map((e) => +e.toFixed(10))).toEqual([0.6, 0.36]); // the verified nodes' ρ·P (ρ = 1: fresh)
  });

  test('each accepted node costs one more row read', () => {
    // same curve, a row read costs 2 ms: n=1 1.8/12.6, n=2 2.44/14.88, n=3 2.952/23.904 → still 2;
    // at 10 ms/row: n=0 1/10, n=1 1.8/19, n=2 2.44/26.4, n=3 2.952/39.52 → 0
    const tree = treeOf([[chain(3), 1]]);
    expect(new BudgetChooser(curve([[1, 10], [2, 11], [3, 12], [4, 20]], 2), () => 0).choose(tree).nodes).toBe(2);
    expect(new BudgetChooser(curve([[1, 10], [2, 11], [3, 12], [4, 20]], 10), () => 0).choose(tree).nodes).toBe(0);
  });

  test.each([
    // rowMs 2, reading rows 0-3 at once 1 ms more than the root's (readMs [[1, 1], [4, 2]]): the chain of 3 (P 0.6, 0.36,
    // 0.216; Σ 1.176) at n = 3 costs 12 + 2 · 1.176 = 14.352 read row by row, 12 + 1 = 13 at once (2.176/13 beats n = 2's
    // best, 1.96/12 with rows 0-2 at once, and every other batch: b = 2 13.485, b = 3 13.099)
    [2, { nodes: 3, batch: 4, expectedMs: 13 }],
    // rowMs 0.2: row by row 12 + 0.2 · 1.176 = 12.2352 < 13; n = 3 still beats n = 2 (1.96/11.525)
    [0.2, { nodes: 3, batch: 1, expectedMs: 12.2352 }],
  ])('the chooser reads the first b rows at once where that beats the path row by row (rowMs %d)', (rowMs, expected) => {
    const profile = { ...curve([[1, 10], [4, 12]], rowMs), readMs: [[1, 1], [4, 2]] as [number, number][] };
    const choice = new BudgetChooser(profile, () => 0).choose(treeOf([[chain(3), 1]]));
    expect({ ...choice, expectedMs: +choice.expectedMs.toFixed(4) }).toMatchObject(expected);
    expect(new BudgetChooser(curve([[1, 10], [4, 12]], rowMs), () => 0).choose(treeOf([[chain(3), 1]])).batch).toBe(1); // no reads measured at once: row by row
  });

  test('the chooser finds the (n, b) of best expected tokens per ms that a search of every pair finds (random curves and trees)', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rising = (sizes: number[], from: number, step: number) => sizes.map((r, i): [number, number] => [r, from + step * (i + rand() * 3)]);
    for (let c = 0; c < 100; c++) {
      const profile = { ...curve(rising([1, 2, 4, 5, 8, 9, 65], 10, 2), rand() * 3), readMs: rising([1, 2, 4, 5, 8, 9, 16, 17], 1, 0.7) };
      const tree = treeOf(Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, k): [number[], number] => [chain(1 + Math.floor(rand() * 12), 100 + 20 * k), 1 + Math.floor(rand() * 12)]));
      const chooser = new BudgetChooser(profile, () => 0);
      const p = chooser.nodeProbabilities(tree);
      let bestRate = 1 / stepMs(profile, 1, 0, 0);
      for (let n = 1; n <= p.length; n++) {
        const accepted = p.slice(0, n).reduce((a, x) => a + x, 0);
        for (let b = 1; b <= Math.min(n + 1, 17); b++) bestRate = Math.max(bestRate, (accepted + 1) / stepMs(profile, n + 1, accepted - p.slice(0, b - 1).reduce((a, x) => a + x, 0), 0, b));
      }
      const choice = chooser.choose(tree);
      expect(choice.expectedTokens / choice.expectedMs).toBeCloseTo(bestRate, 10);
    }
  });

  test('a verify that read rows at once is predicted with that read: its time as predicted leaves the load at 1', () => {
    const profile = { ...curve([[1, 10], [4, 12]], 2), readMs: [[1, 1], [4, 2]] as [number, number][] };
    const tree = treeOf([[chain(3), 1]]);
    const clock = fakeClock();
    const scales = freshScales();
    const c = new BudgetChooser(profile, () => 0, clock.now, scales);
    expect(c.choose(tree)).toMatchObject({ nodes: 3, batch: 4 });
    clock.advance(13); // 12 + (2 - 1): all three accepted, no row read alone (row by row it would be 12 + 3 · 2 = 18)
    c.observe(tree, [100, 101, 102, 7]);
    expect(scales.load).toBe(1);
  });

  test('poor drafts on a CPU-like curve: n = 0 (a plain greedy step)', () => {
    const tree = treeOf(Array.from({ length: 20 }, (_, i): [number[], number] => [[200 + i, 7 + i], 1])); // 20 rivals, 5% each
    expect(new BudgetChooser(STEEP, () => 0).choose(tree).nodes).toBe(0); // n=1: 1 + 0.05 · 0.6 tokens for 11 ms
  });

  test('a flat cost curve (a GPU) takes the whole tree up to 64 nodes', () => {
    expect(new BudgetChooser(flatProfile(20), () => 0).choose(treeOf([[chain(100), 1]])).nodes).toBe(64);
    expect(new BudgetChooser(flatProfile(20), () => 0).choose(treeOf([[chain(10), 1], [chain(10, 300), 3]])).nodes).toBe(20);
  });

  test('observe: trials are the nodes under the greedy path that the tokens reach, trimmed ones included', () => {
    // A (w 3) → C (w 3), B (w 1); the step produced A, C, then X: trials A (0.75, hit), B (0.25, miss), C (1, hit)
    const tree = treeOf([[[1, 3], 3], [[2], 1]]);
    expect(tree.tokens).toEqual([1, 3, 2]);
    const c = new BudgetChooser(STEEP, () => 0);
    c.observe(tree, [1, 3, 9]);
    const kBest = (1.2 + 1) / (2 + 0.75); // A: the heaviest root child (few occurrences: prior 0.6 over 2 trials)
    const kRivals = 0.8 / (2 + 0.25); // B: the other root children
    const kDeep = (1.2 + 1) / (2 + 1); // C
    const p = c.nodeProbabilities(tree);
    expect(p[0]).toBeCloseTo(0.75 * kBest, 12);
    expect(p[1]).toBeCloseTo(0.75 * kBest * kDeep, 12);
    expect(p[2]).toBeCloseTo(0.25 * kRivals, 12);
  });

  test('learnedAs: a node learns with D_r if D_r drafted it, else the cache, else prompt lookup, else D_c', () => {
    const tree: DraftTree = { tokens: [1, 2, 3, 4], parents: [-1, -1, -1, -1], depths: [0, 0, 0, 0], weights: [5, 2, 4, 1], counts: { repo: [0, 2, 0, 0], cache: [1, 0, 0, 0], lookup: [0, 0, 1, 0], common: [4, 4, 3, 1] } };
    expect([0, 1, 2, 3].map((i) => learnedAs(tree, i))).toEqual([1, 0, 2, 3]);
  });

  test('κ is learned per source: D_c drafts that keep failing leave D_r drafts at the prior', () => {
    const single = (source: 'repo' | 'common') => {
      const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
      trie.insert([1], source, 1);
      return trie.select(1);
    };
    const c = new BudgetChooser(STEEP, () => 0);
    for (let i = 0; i < 5; i++) c.observe(single('common'), [9]); // a D_c favourite (share 1), wrong five times
    expect(c.nodeProbabilities(single('common'))[0]).toBeCloseTo(1.2 / (2 + 5), 12);
    expect(c.nodeProbabilities(single('repo'))[0]).toBeCloseTo(0.6, 12); // D_r: still the prior
  });

  test('κ is learned per group: rivals that keep failing leave the heaviest root child at the prior', () => {
    // root children: A (weight 3), B (weight 1), both from D_r: shares 0.75, 0.25
    const tree = treeOf([[[1], 3], [[2], 1]]);
    const c = new BudgetChooser(STEEP, () => 0);
    for (let i = 0; i < 5; i++) c.observe(tree, [1, 9]); // A right, B wrong, five times
    const [pA, pB] = c.nodeProbabilities(tree);
    expect(pA).toBeCloseTo(Math.min(1, 0.75 * ((1.2 + 5) / (2 + 3.75))), 12); // 5 hits over 3.75 predicted
    expect(pB).toBeCloseTo(0.25 * (0.8 / (2 + 1.25)), 12); // 0 hits over 1.25 predicted
    const flipped = treeOf([[[2], 3], [[1], 1]]); // B the favourite now: it learns with the favourites' κ
    expect(c.nodeProbabilities(flipped)[0]).toBeCloseTo(0.75 * ((1.2 + 5) / (2 + 3.75)), 12);
  });

  test.each([
    [[3, 4, 0, 0], 'few'], // 7 occurrences
    [[3, 4, 1, 0], 'many'], // 8
    [[0, 0, 0, 8], 'many'],
  ])('evidence: counts (repo, common, cache, lookup) %j → %s', (counts, expected) => {
    const [repo, common, cache, lookup] = counts.map((c) => [c]);
    expect(evidence({ ...emptyTree(), tokens: [1], parents: [-1], depths: [0], weights: [1], counts: { repo, common, cache, lookup } }, 0)).toBe(expected);
  });

  test('κ is learned per evidence: a favourite seen 8 times starts at its own prior (1), and its failures leave the ones seen once at theirs (0.6)', () => {
    const single = (count: number) => treeOf([[[1], count]]);
    const c = new BudgetChooser(STEEP, () => 0);
    expect(c.nodeProbabilities(single(8))[0]).toBe(1);
    expect(c.nodeProbabilities(single(7))[0]).toBeCloseTo(0.6, 12);
    for (let i = 0; i < 5; i++) c.observe(single(8), [9]); // wrong five times
    expect(c.nodeProbabilities(single(8))[0]).toBeCloseTo(2 / (2 + 5), 12);
    expect(c.nodeProbabilities(single(1))[0]).toBeCloseTo(0.6, 12);
  });

  test('kappaGroup: node 0 is the heaviest root child, other root children are rivals, the rest deeper', () => {
    const tree = treeOf([[[5, 6], 2], [[5, 7], 1], [[8], 1]]); // rank: 5 (3), 6 (2), 8 (1, depth 0), 7 (1, depth 1)
    expect(tree.tokens.map((_, i) => kappaGroup(tree, i))).toEqual(['best', 'deeper', 'rivals', 'deeper']);
  });

  test('draftSize: 64 at first, then twice the last choice (at least 8, at most 64, at least half the previous size; kept when the tree ran out)', () => {
    const c = new BudgetChooser(flatProfile(20), () => 0);
    const sizes = [c.draftSize()];
    for (const n of [2, 3, 30, 64, 0]) {
      c.choose(treeOf([[chain(n), 1]]));
      sizes.push(c.draftSize());
    }
    expect(sizes).toEqual([64, 64, 64, 64, 64, 64]); // a flat curve takes each whole chain: no reason to draft fewer
    const steep = new BudgetChooser(STEEP, () => 0);
    const steepSizes = [];
    for (let i = 0; i < 4; i++) {
      steep.choose(treeOf([[chain(40), 1]])); // a 40-node chain of which a CPU-like curve takes a few
      steepSizes.push(steep.draftSize());
    }
    expect(steepSizes).toEqual([32, 16, 8, 8]);
  });

  test('drafts that keep failing drive κ down until a good chain is not verified', () => {
    const tree = treeOf([[chain(8), 1]]);
    expect(new BudgetChooser(STEEP, () => 0).choose(tree).nodes).toBeGreaterThan(0);
    const clock = fakeClock();
    const c = new BudgetChooser(STEEP, () => 0, clock.now);
    for (let i = 0; i < 20; i++) c.observe(tree, [7]); // the model never takes the first draft token
    expect(c.choose(tree).nodes).toBe(0); // κ_best = 1.2/22: n=1 1.055/11 < 1/10
    clock.advance(10); // the 1-row verify took what the profile says
    for (let i = 0; i < 30; i++) c.observe(tree, [...chain(8), 7]); // now it always takes the whole chain
    // κ_best = 31.2/52, κ_deeper = 211.2/212: 7 nodes (8 rows, 22 ms) beat 8 nodes (9 rows: the next 4-row tile, 28 ms)
    expect(c.choose(tree).nodes).toBe(7);
  });

  test('the step overhead (observe → choose) counts in the cost: a large one favours drafting', () => {
    const tree = treeOf([[chain(1), 1]]); // P = 0.6 at the prior; forward 10 ms for 1 row, 19 ms for 2
    const clock = fakeClock();
    const c = new BudgetChooser(curve([[1, 10], [2, 19]]), () => 0, clock.now);
    expect(c.choose(tree).nodes).toBe(0); // 1/10 > 1.6/19
    clock.advance(10); // the verify took what the profile predicted: scale 1
    c.observe(tree, [5]); // a miss: κ_best = 1.2/3, P = 0.4
    clock.advance(100);
    const last = c.choose(tree); // 1/110 < 1.4/119
    expect(last.nodes).toBe(1);
    expect(last.expectedMs).toBeCloseTo(119, 10);
  });

  test('the step overhead is the median of the last 15 gaps: one slow gap (a GC pause) does not move it', () => {
    const tree = treeOf([[chain(1), 100]]);
    const clock = fakeClock();
    const c = new BudgetChooser(curve([[1, 10], [2, 11]]), () => 0, clock.now);
    const step = (gap: number) => {
      clock.advance(gap); // from the last observe to this choose: retrieval, Trie, feedback
      const choice = c.choose(tree);
      clock.advance(11); // the verify took what the profile says: load 1
      c.observe(tree, [100, 7]);
      return choice;
    };
    step(0);
    expect([0.5, 0.5, 30, 0.5, 0.5].map(step).at(-1)).toMatchObject({ nodes: 1, expectedMs: 11.5 }); // a running mean: 11 + 4.28
    const last = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 100].map(step).at(-1);
    expect(last!.expectedMs).toBeCloseTo(11 + 10, 10); // the oldest gaps dropped out: the median of 3..16 and 100
  });

  test('verify steps slower than the profile scale its whole curve: the overhead then matters less', () => {
    const tree = treeOf([[chain(1), 1]]);
    const after = (verifyMs: number) => {
      const clock = fakeClock();
      const c = new BudgetChooser(curve([[1, 10], [2, 20]]), () => 0, clock.now);
      c.choose(tree); // n = 0 (1/10 > 1.6/20), predicted 10 ms
      clock.advance(verifyMs);
      c.observe(tree, [100, 7]); // a hit: κ_best = 2.2/3, P = 0.733
      clock.advance(10); // overhead 10 ms
      return c.choose(tree);
    };
    expect(after(10)).toMatchObject({ nodes: 1, expectedMs: 30 }); // 1/20 < 1.733/30
    expect(after(100)).toMatchObject({ nodes: 0, expectedMs: 110 }); // scale 10: 1/110 > 1.733/210
  });

  test("a step size not yet measured borrows the other size's scale: a 2-row verify 3x slower than profiled makes 1-row steps 3x dearer too", () => {
    const tree = treeOf([[chain(1), 1]]);
    const clock = fakeClock();
    const c = new BudgetChooser(curve([[1, 10], [2, 12]]), () => 0, clock.now);
    expect(c.choose(tree).nodes).toBe(1); // P = 0.6: 1.6/12 > 1/10
    clock.advance(36); // 2 rows: 12 profiled, 36 measured
    c.observe(tree, [100, 7]); // a hit: P = 0.733
    expect(c.choose(tree).expectedMs).toBeCloseTo(36, 10); // n = 1: 1.733 tokens for 3 · 12 (+ 0 overhead)
    const poor = treeOf(Array.from({ length: 20 }, (_, i): [number[], number] => [[200 + i], 1]));
    expect(c.choose(poor)).toMatchObject({ nodes: 0, expectedMs: 30 }); // 3 · 10 (an additive offset would say 10 + 24)
  });

  test('each size learns its correction (median over the load); the load moves all sizes; the scales carry over', () => {
    const { profile, good, scales, c, treeStep, greedyStep } = learningChooser();
    for (let i = 0; i < 4; i++) treeStep(10), greedyStep(15); // the profile's 1-row cost is 1.5x too low
    expect(scales.sizes.slice(0, 2)).toEqual([NaN, NaN]); // 4 and 3 samples (the first step sets the load): too few to tell
    for (let i = 0; i < 40; i++) treeStep(10), greedyStep(15);
    expect(c.choose(emptyTree()).expectedMs).toBeCloseTo(15, 6); // one scale for both would say ~12.5 for either
    expect(c.choose(good).expectedMs).toBeCloseTo(10, 6);
    treeStep(40); // one tree step in a spike, then the machine slows down 2x and only greedy steps run
    for (let i = 0; i < 100; i++) greedyStep(30);
    expect(c.choose(emptyTree()).expectedMs).toBeCloseTo(30, 6);
    const tree = c.choose(good).expectedMs;
    console.log(`tree step after the slowdown: ${tree.toFixed(3)} ms predicted, 20 if it follows the load exactly`);
    expect(tree).toBeCloseTo(20, 6); // the tree's cost follows the load it did not measure (the spike's one sample moved nothing)
    const next = new BudgetChooser(profile, () => 0, fakeClock().now, scales); // the next generation on this profile
    expect(next.choose(emptyTree()).expectedMs).toBeCloseTo(30, 6);
    expect(new BudgetChooser(profile, () => 0).choose(emptyTree()).expectedMs).toBe(10); // fresh scales
  });

  /**
   * Steps alternate: a poor tree (20 rivals of 5 %: n = 0, a greedy step) and a chain of 3 seen 10 times (P = 1). The
   * profile: 1 / 2 / 3 / 4 rows 10 / 11 / 17 / 23 ms, so rates 2 / 11 = 0.182 at n = 1, 3 / 17 = 0.176 at n = 2 and
   * 4 / 23 = 0.174 at n = 3: n = 1. On this machine 1- and 4-row steps cost what the profile says, 2 and 3 rows 1.4x
   * (15.4, 23.8 ms: the rates at n = 1..3 are 0.130, 0.126, 0.174). Learned, 2 rows cost 1.4x a greedy step's scale;
   * 4 rows, never measured, cost the greedy step's (the smallest learned), so n = 3 is tried, and kept.
   */
  test('sizes the profile gets wrong by different factors are told apart: a size not learned is tried at the cheapest learned scale', () => {
    const profile = curve([[1, 10], [2, 11], [3, 17], [4, 23]]);
    const truth = [0, 10, 15.4, 23.8, 23]; // ms by rows
    const poor = treeOf(Array.from({ length: 20 }, (_, i): [number[], number] => [[200 + i], 1]));
    const good = treeOf([[chain(3), 10]]);
    const clock = fakeClock();
    const scales = freshScales();
    const c = new BudgetChooser(profile, () => 0, clock.now, scales);
    const greedy = [...chain(3), 7]; // the chain is right: greedy decoding goes on 100, 101, 102, then 7
    const step = (tree: DraftTree) => {
      const n = c.choose(tree).nodes;
      clock.advance(truth[n + 1]);
      c.observe(tree, greedy.slice(0, n + 1)); // the accepted nodes, then the bonus token
      return n;
    };
    const chosen = Array.from({ length: 30 }, () => [step(poor), step(good)]);
    expect(chosen[0]).toEqual([0, 1]);
    expect(chosen.every(([greedy]) => greedy === 0)).toBe(true);
    const firstTry = chosen.findIndex(([, n]) => n === 3);
    expect(firstTry).toBeGreaterThan(0);
    expect(chosen.slice(firstTry).every(([, n]) => n === 3)).toBe(true);
    expect(Math.exp(scales.sizes[1] - scales.sizes[0])).toBeCloseTo(1.4, 1); // 2 rows' scale over 1 row's: 15.4 / 11 over 10 / 10 (within 0.05: the first steps, none learned, moved the load)
    expect(scales.sizes[3]).toBeCloseTo(scales.sizes[0], 6); // 4 rows, learned since: at the 1-row scale, as measured
  });

  test('spikes do not drift the scales: through 300 greedy steps with every 4th at 3x, a tree learned before keeps its cost', () => {
    const { good, scales, c, treeStep, greedyStep } = learningChooser();
    for (let i = 0; i < 20; i++) treeStep(10), greedyStep(10); // as profiled
    for (let i = 0; i < 300; i++) greedyStep(i % 4 === 3 ? 30 : 10); // a garbage collection now and then
    const [tree, greedy] = [c.choose(good).expectedMs, c.choose(emptyTree()).expectedMs];
    console.log(`after the spikes: tree ${tree.toFixed(3)} ms, greedy ${greedy.toFixed(3)} ms predicted (10 as measured, but for the spikes); load ${scales.load.toFixed(3)}`);
    expect([tree, greedy]).toEqual([10, 10]); // the medians ignore the spikes (a running mean of the load, against medians of the sizes, rose with each spike)
  });

  test.each([[1, 0], [2, 1], [3, 2], [4, 3], [5, 4], [8, 4], [9, 5], [16, 5], [17, 6], [32, 6], [33, 7], [65, 7]])('sizeClass(%i rows) = %i', (rows, k) => {
    expect(sizeClass(rows)).toBe(k);
  });

  test('size samples are forgotten SAMPLE_AGE steps later: a correction that makes trees look dear cannot outlive its evidence', () => {
    const { good, scales, c, treeStep, greedyStep } = learningChooser();
    const treeSteps: number[] = []; // the tree steps' numbers
    for (let i = 0; i < 20; i++) {
      treeSteps.push(scales.seen);
      treeStep(10); // as profiled
      greedyStep(8); // 0.8x its profile
    }
    expect(Math.exp(scales.sizes[1] - scales.sizes[0])).toBeCloseTo(1.25, 4); // trees 1.25x a greedy step's scale
    const greedyUntil = (seen: number) => {
      while (scales.seen < seen) greedyStep(8);
    };
    const unlearned = treeSteps[treeSteps.length - MIN_SAMPLES] + SAMPLE_AGE; // the step that forgets the MIN_SAMPLES-th newest tree sample
    greedyUntil(unlearned); // only greedy steps since the trees': MIN_SAMPLES of their samples are still in the window
    expect(c.choose(good).expectedMs / c.choose(emptyTree()).expectedMs).toBeCloseTo(1.25, 4);
    greedyUntil(unlearned + 1);
    expect(scales.sizes[1]).toBeNaN();
    expect(c.choose(good).expectedMs).toBeCloseTo(c.choose(emptyTree()).expectedMs, 6); // trees at the greedy steps' scale: tried again
  });

  test.each([[0, 0], [1, 1], [2, 1], [3, 2], [6, 2], [7, 3], [14, 3], [15, 4], [30, 4], [31, 5], [62, 5], [63, 6], [1000, 6]])('rankBucket(%i) = %i', (rank, bucket) => {
    expect(rankBucket(rank)).toBe(bucket);
  });

  /**
   * A chain of 7 nodes seen 10 times each ('many': P = 1 at every rank) on a curve where 4 rows cost 12 ms and 8 rows
   * 17: rates 4 / 12 at n = 3 and 8 / 17 at n = 7, so n = 7. Each generation accepts nodes 0-2 and rejects node 3: ranks
   * 3-6 (bucket 2) add 4 predicted and 0 accepted, so after k such generations ρ = 8 / (8 + 4k) there, and n = 4..7
   * expect 4 + ρ, ..., 4 + 4ρ tokens. k = 2 (ρ 0.5): n = 3..7 rate 0.333, 0.340, 0.345, 0.349, 0.353 → 7; k = 3 (ρ 0.4):
   * 0.3333, 0.3321, 0.3310, 0.3302, 0.3294 → 3. Then ranks 3-6 are no longer verified, and ρ stays there.
   */
  test('ρ: ranks that the verified trees overrate count less in later generations of the same drafter, and only there', () => {
    const profile = curve([[1, 10], [4, 12], [8, 17]]);
    const tree = treeOf([[chain(7), 10]]);
    const tokens = [100, 101, 102, 999]; // nodes 0-2 accepted, then a bonus token that is not node 3's
    const generation = (ranks: ReturnType<typeof freshRanks>) => {
      const c = new BudgetChooser(profile, () => 0, fakeClock().now, freshScales(), ranks); // κ and the scales fresh: only ρ carries over
      const nodes = c.choose(tree).nodes;
      c.observe(tree, tokens);
      return nodes;
    };
    const shared = freshRanks();
    expect(Array.from({ length: 5 }, () => generation(shared))).toEqual([7, 7, 7, 3, 3]);
    expect(shared.predicted.slice(0, 3)).toEqual([8 + 5, 8 + 10, 8 + 12]); // three generations verified ranks 3-6
    expect(shared.accepted.slice(0, 3)).toEqual([8 + 5, 8 + 10, 8]);
    expect(Array.from({ length: 5 }, () => generation(freshRanks()))).toEqual([7, 7, 7, 7, 7]); // without ρ carried over
  });
});

describe('generate with budget auto', () => {
  const VOCAB = 64;
  const tok = charTokenizer(VOCAB);
  const PROMPT = [40, 41, 42];
  const REF = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
  const script = [...PROMPT, ...REF, 0];
  const run = async (retriever: ScriptedRetriever, costProfile: CostProfile, cost = {}) => {
    const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0, ...cost });
    const sizes: number[] = [];
    const r = await generate(lm, tok, PROMPT, { mode: 'fastcoder', eosIds: [0], budget: 'auto', costProfile, retriever, onStep: (s) => sizes.push(s.draft.tokens.length) });
    return { ...r, sizes };
  };

  test('good drafts on a flat curve: whole trees verified; poor ones on a steep curve: greedy steps; output unchanged', async () => {
    const good = new ScriptedRetriever((ctx) => [sourceResult('repo', [[script.slice(ctx.length, ctx.length + 10), 1]])]);
    const flat = await run(good, flatProfile(0));
    expect(flat.tokens).toEqual([...REF, 0]);
    expect(flat.sizes[0]).toBe(10);
    const poor = new ScriptedRetriever(() => [sourceResult('common', Array.from({ length: 20 }, (_, i): [number[], number] => [[50 + (i % 10), 30 + i], 1]))]);
    const steep = await run(poor, curve([[1, 3], [65, 67]]), { costMs: 2, costPerTokenMs: 1 }); // the oracle costs what the profile says
    expect(steep.tokens).toEqual([...REF, 0]);
    expect(steep.sizes.every((n) => n === 0)).toBe(true);
    expect(steep.metrics.forwards).toBe(REF.length + 1);
    // drafting did not pay (each drafted step chose n = 0: 1 token for 3 ms + retrieval, against 1 token for 3 ms): retrieval was
    // skipped on some steps (which ones depends on this machine's retrieval times; the windows are tested with a fake clock below)
    expect(poor.contexts.length).toBeLessThan(REF.length + 1);
  });

  test.each([
    // good 3-token drafts; rowMs 2 against 4 rows read at once for 1 ms more than one: the first step reads rows 0-3 at once
    ['read at once', [[1, 1], [4, 2]] as [number, number][], 4],
    // no reads at once measured: the accepted path row by row
    ['no reads at once in the profile', [] as [number, number][], 1],
  ])('auto reads the rows as chosen (%s), asks the model for exactly those, and records it in the trace; output unchanged', async (_, readMs, batch) => {
    const good = new ScriptedRetriever((ctx) => [sourceResult('repo', [[script.slice(ctx.length, ctx.length + 3), 1]])]);
    const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0 });
    const asked: number[][] = [];
    const argmax = lm.argmax.bind(lm);
    lm.argmax = (rows) => (asked.push(Array.from(rows)), argmax(rows));
    const steps: StepTrace[] = [];
    const r = await generate(lm, tok, PROMPT, { mode: 'fastcoder', eosIds: [0], budget: 'auto', costProfile: { ...curve([[1, 10], [4, 12]], 2), readMs }, retriever: good, onStep: (s) => steps.push(s) });
    expect(r.tokens).toEqual([...REF, 0]);
    expect([steps[0].draft.tokens.length, steps[0].batch]).toEqual([3, batch]);
    expect(asked[0]).toEqual(Array.from({ length: batch }, (_, i) => i)); // the first step: the batch, then each accepted row beyond it alone
    expect(asked.slice(1, 4 - batch + 1)).toEqual(Array.from({ length: 4 - batch }, (_, i) => [batch + i]));
    // the trace shows what auto expected of each verified node: a chain seen once from D_r at the 'few' priors, ρ fresh
    expect(steps[0].expected!.map((e) => +e.toFixed(10))).toEqual([0.6, 0.36, 0.216]);
  });

  test('a fixed budget records no expectations in the trace', async () => {
    const good = new ScriptedRetriever((ctx) => [sourceResult('repo', [[script.slice(ctx.length, ctx.length + 3), 1]])]);
    const steps: StepTrace[] = [];
    await generate(createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0 }), tok, PROMPT, { mode: 'fastcoder', eosIds: [0], budget: 3, retriever: good, onStep: (s) => steps.push(s) });
    expect(steps[0].draft.tokens.length).toBe(3);
    expect(steps.every((s) => s.expected === undefined)).toBe(true);
  });

  test('the skip rule: 1, 2, 4, ... greedy steps without drafting while drafting does not pay; none once it does', () => {
    const clock = fakeClock();
    const c = new BudgetChooser(curve([[1, 10], [2, 11]]), () => 0, clock.now);
    const poor = treeOf(Array.from({ length: 20 }, (_, i): [number[], number] => [[200 + i], 1]));
    const pattern: boolean[] = [];
    for (let step = 0; step < 8; step++) {
      const drafting = c.drafting();
      pattern.push(drafting);
      if (drafting) c.choose(poor);
      else c.skipped();
      clock.advance(10);
      c.observe(drafting ? poor : emptyTree(), [7]);
      clock.advance(drafting ? 2 : 0); // retrieval: 2 ms when it runs
    }
    expect(pattern).toEqual([true, false, true, false, false, true, false, false]);
    const good = treeOf([[chain(1), 100]]);
    for (let i = 0; i < 4; i++) c.observe(good, [100, 7]); // the drafts turn good (seen 100 times: κ of the many-evidence favourite = 6/6), 2 tokens for 11 ms + overhead
    while (!c.drafting()) c.skipped();
    expect(c.choose(good).nodes).toBe(1);
    expect([c.drafting(), c.drafting()]).toEqual([true, true]);
  });

  test('the skip rule waits for a clear loss: trees that lose a little keep drafting, drafts never worth verifying stop it', () => {
    const clock = fakeClock();
    const c = new BudgetChooser(curve([[1, 10], [2, 11]]), () => 0, clock.now);
    // root children 5, 1, 1, ... (7 rivals): P = 0.6 · 5/12 = 0.25; n = 1: 1.25 tokens for 11 + 2 ms (margin 12.5 − 13 = −0.5)
    const marginal = treeOf([[[300], 5], ...Array.from({ length: 7 }, (_, i): [number[], number] => [[400 + i], 1])]);
    const poor = treeOf(Array.from({ length: 20 }, (_, i): [number[], number] => [[200 + i], 1]));
    const step = (tree: DraftTree) => {
      const drafting = c.drafting();
      const nodes = drafting ? c.choose(tree).nodes : (c.skipped(), 0);
      clock.advance(nodes === 0 ? 10 : 11); // what the profile says
      c.observe(emptyTree(), [7]); // (no trials: κ stays at its priors)
      clock.advance(2); // retrieval and Trie: the step overhead
      return drafting ? nodes : -1;
    };
    step(marginal);
    expect(Array.from({ length: 8 }, () => step(marginal))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]); // mean margin −0.5 > −2 / 2
    expect(Array.from({ length: 8 }, () => step(poor))).toContain(-1); // n = 0: margins of −2 pull the mean below −1
  });

  test('the skip rule judges the running mean of the margins: one poor tree after good ones does not stop drafting', () => {
    const clock = fakeClock();
    const c = new BudgetChooser(curve([[1, 10], [2, 11]]), () => 0, clock.now);
    const good = treeOf([[chain(1), 100]]);
    const poor = treeOf(Array.from({ length: 20 }, (_, i): [number[], number] => [[200 + i], 1]));
    const step = (tree: DraftTree, tokens: number[]) => {
      expect(c.drafting()).toBe(true);
      const choice = c.choose(tree);
      clock.advance(choice.nodes === 0 ? 10 : 11);
      c.observe(tree, tokens);
      clock.advance(2); // retrieval
      return choice;
    };
    step(good, [100, 7]); // margin 1.8 · 10 − 11 = 7
    step(good, [100, 7]);
    const last = step(poor, [7]); // n = 0: 1 token for 10 + 2 ms, a negative margin alone
    expect(last.nodes).toBe(0);
    expect(last.expectedTokens * 10).toBeLessThan(last.expectedMs);
    expect(c.drafting()).toBe(true); // the mean is still positive: the next tree may be good again
  });

  test('a profile that costs nothing never skips drafting', () => {
    const c = new BudgetChooser(flatProfile(0), () => 0);
    c.choose(treeOf([[[200], 1], [[201], 1]]));
    expect(c.drafting()).toBe(true);
  });

  test('ar with budget auto and no profile calibrates nothing: one forward for the prompt, then one per token', async () => {
    const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0 });
    let forwards = 0;
    const forwardHidden = lm.forwardHidden.bind(lm);
    lm.forwardHidden = async (...args) => (forwards++, forwardHidden(...args));
    const r = await generate(lm, tok, PROMPT, { mode: 'ar', budget: 'auto', maxNewTokens: 5, eosIds: [0] });
    expect(r.tokens).toEqual(REF.slice(0, 5));
    expect(forwards).toBe(1 + 5);
  });

  test('without a profile, auto calibrates the model once (in memory)', async () => {
    const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0 });
    const drafter = { draft: async (_: Int32Array, budget: number) => ({ tree: treeOf([[chain(100), 1]], budget), retrieval: null, retrieveMs: 0, trieMs: 0 }), begin: async () => {}, update() {}, close: async () => {} };
    const ctx = Int32Array.from(PROMPT);
    expect((await (await openBudget('auto', lm)).draft(drafter, ctx)).tree.tokens.length).toBe(64);
    expect((await (await openBudget(7, lm)).draft(drafter, ctx)).tree.tokens.length).toBe(7);
  });

  test('ρ is shared by the generations of one drafter on one profile (openBudget), not by another drafter', async () => {
    const profile = curve([[1, 10], [4, 12], [8, 17]]); // the curve of the ρ test above
    const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0 });
    const drafter = { draft: async () => ({ tree: treeOf([[chain(7), 10]]), retrieval: null, retrieveMs: 0, trieMs: 0 }), begin: async () => {}, update() {}, close: async () => {} };
    const ctx = Int32Array.from(PROMPT);
    const generation = async (name: string) => {
      const b = await openBudget('auto', lm, profile, name);
      const drafted = await b.draft(drafter, ctx);
      const verified = b.trim(drafted.tree).tree.tokens.length;
      b.observe(drafted.tree, [100, 101, 102, 999]);
      return verified;
    };
    for (let k = 0; k < 3; k++) expect(await generation('fastcoder')).toBe(7);
    expect(await generation('fastcoder')).toBe(3);
    expect(await generation('fastcoder-plus')).toBe(7);
  });
});
