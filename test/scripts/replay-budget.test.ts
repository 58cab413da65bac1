/**
 * The virtual-time replay (scripts/replay-budget.ts): a forward costs what the profile says, each further row read
 * rowMs, each step that retrieved `draftMs`, and nothing else takes time; hand-computed totals.
 */
import { flatProfile, type CostProfile, PROFILE_FORMAT, profileKey } from '../../src/decode/cost-model';
import { createOracle } from '../../src/decode/oracle';
import { addCalibration, describeCalibration, emptyCalibration, replayGeneration, replayModes, VirtualClock, virtualCostModel } from '../../scripts/replay-budget';
import { clairvoyantBudget } from '../../src/bench/clairvoyant-budget';
import { parseModes } from '../../src/bench/modes';
import { charTokenizer, ScriptedRetriever, sourceResult } from '../decode/helpers';

const VOCAB = 64;
const PROMPT = [40, 41, 42];
const REF = [43, 44, 45, 46, 47, 48, 49, 50, 51, 52];
const profile = (points: [number, number][], rowMs: number): CostProfile => ({ ...flatProfile(0), format: PROFILE_FORMAT, key: profileKey('test', 'hand-made'), curves: [{ context: 0, points }], rowMs });

test('virtualCostModel: a forward costs its rows on the curve, the first row read is free, each further one rowMs', async () => {
  const clock = new VirtualClock();
  const m = virtualCostModel(profile([[1, 3], [4, 4]], 1), VOCAB, clock);
  await m.forwardHidden([1, 2, 3, 4], [0, 1, 2, 3]);
  await m.argmax([0]);
  await m.argmax([1]);
  expect(clock.ms).toBe(5);
  await m.forwardHidden([5], [4]);
  await m.argmax([0]);
  expect(clock.ms).toBe(8);
});

test('virtualCostModel: a first read of several rows at once costs its readMs over the root row read alone, later reads rowMs each', async () => {
  const clock = new VirtualClock();
  const m = virtualCostModel({ ...profile([[1, 3], [4, 4]], 1), readMs: [[1, 1], [4, 2]] }, VOCAB, clock);
  await m.forwardHidden([1, 2, 3, 4], [0, 1, 2, 3]);
  await m.argmax([0, 1, 2]); // 1.667 - 1
  await m.argmax([3]);
  expect(clock.ms).toBeCloseTo(4 + 2 / 3 + 1, 10);
});

test('virtualCostModel: a forward is charged at the cache length it runs on (the curves interpolated)', async () => {
  const clock = new VirtualClock();
  const curves = [{ context: 0, points: [[1, 3], [4, 4]] as [number, number][] }, { context: 10, points: [[1, 3], [4, 14]] as [number, number][] }];
  const m = virtualCostModel({ ...profile([], 0), curves }, VOCAB, clock);
  await m.forwardHidden([1, 2, 3, 4, 5], [0, 1, 2, 3, 4]);
  m.commit([0, 1, 2, 3, 4]); // a 5-entry cache: half way between the curves
  clock.ms = 0;
  await m.forwardHidden([6, 7, 8, 9], [5, 6, 7, 8]);
  expect(clock.ms).toBe(9); // 4 + (14 - 4) · 5 / 10
});

describe('replayGeneration', () => {
  const run = (options: Parameters<typeof replayGeneration>[3], points: [number, number][], rowMs: number, draftMs: number, calibration = emptyCalibration()) => {
    const clock = new VirtualClock();
    const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0, costModel: virtualCostModel(profile(points, rowMs), VOCAB, clock) });
    return replayGeneration(lm, charTokenizer(VOCAB), PROMPT, { eosIds: [0], maxNewTokens: 8, ...options }, clock, draftMs, calibration);
  };

  test('ar: one 1-row forward per token, the prefill not counted, no drafting charged', async () => {
    expect(await run({ mode: 'ar' }, [[1, 10], [3, 30]], 1, 0.5)).toEqual({ ms: 80, tokens: 8, forwards: 8, nodes: 0 });
  });

  test('one right draft token a step: 2 rows (12) + one more row read (1) + drafting (0.5) for 2 tokens', async () => {
    const retriever = new ScriptedRetriever((ctx) => [sourceResult('repo', [[[REF[ctx.length - PROMPT.length]], 1]])]);
    const calibration = emptyCalibration();
    const r = await run({ mode: 'fastcoder', budget: 1, retriever }, [[1, 10], [2, 12]], 1, 0.5, calibration);
    expect(r).toEqual({ ms: 4 * 13.5, tokens: 8, forwards: 4, nodes: 4 });
    expect(calibration).toEqual(emptyCalibration()); // a fixed budget: no expectations
    expect(retriever.contexts.length).toBe(4);
  });

  test('clairvoyant: a right draft token is verified where it pays (2 tokens for 13 ms against 10 ms a token), a wrong one never', async () => {
    const clairvoyant = (retriever: ScriptedRetriever) => {
      const clock = new VirtualClock();
      const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0, costModel: virtualCostModel(profile([[1, 10], [2, 12]], 1), VOCAB, clock) });
      const stepBudget = clairvoyantBudget(REF, PROMPT.length, profile([[1, 10], [2, 12]], 1), () => lm.cacheLength);
      return replayGeneration(lm, charTokenizer(VOCAB), PROMPT, { mode: 'fastcoder', eosIds: [0], maxNewTokens: 8, retriever, stepBudget }, clock, 0.5);
    };
    const right = new ScriptedRetriever((ctx) => [sourceResult('repo', [[[REF[ctx.length - PROMPT.length]], 1]])]);
    expect(await clairvoyant(right)).toEqual({ ms: 4 * 13.5, tokens: 8, forwards: 4, nodes: 4 });
    const wrong = new ScriptedRetriever(() => [sourceResult('repo', [[[63], 1]])]);
    expect(await clairvoyant(wrong)).toEqual({ ms: 8 * 10.5, tokens: 8, forwards: 8, nodes: 0 });
  });

  test("--true-profile: auto chooses by the profile it is given and is charged by the true one", async () => {
    // three right draft tokens a step: on a flat 10 ms profile auto verifies all three (4 tokens a step, 2 steps for 8);
    // at 40 ms for 4 rows (4 times a greedy step) fewer pay
    const replay = async (given: [number, number][], charged: [number, number][]) => {
      const retriever = new ScriptedRetriever((ctx) => [sourceResult('repo', [[REF.slice(ctx.length - PROMPT.length, ctx.length - PROMPT.length + 3), 1]])]);
      const clock = new VirtualClock();
      const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0, costModel: virtualCostModel(profile(charged, 0), VOCAB, clock) });
      return replayGeneration(lm, charTokenizer(VOCAB), PROMPT, { mode: 'fastcoder', budget: 'auto', costProfile: profile(given, 0), retriever, eosIds: [0], maxNewTokens: 8 }, clock, 0);
    };
    const flat: [number, number][] = [[1, 10], [4, 10]];
    const steep: [number, number][] = [[1, 10], [4, 40]];
    expect(await replay(flat, flat)).toEqual({ ms: 2 * 10, tokens: 8, forwards: 2, nodes: 6 });
    expect(await replay(flat, steep)).toEqual({ ms: 2 * 40, tokens: 8, forwards: 2, nodes: 6 }); // the same choices, at the true cost
    expect((await replay(steep, steep)).nodes).toBeLessThan(6); // told the truth, auto verifies fewer
  });

  test('performance.now is the real clock again afterwards, also when the generation throws', async () => {
    const before = performance.now;
    await expect(run({ mode: 'ar', maxNewTokens: -1 }, [[1, 10]], 0, 0)).rejects.toThrow();
    expect(performance.now).toBe(before);
  });
});

test.each([
  ['budgets alone: as bench sweeps them', '3,auto', ['ar', 'fastcoder@3', 'fastcoder@auto']],
  ['one budget alone: the modes as they are', 'auto', ['ar', 'fastcoder']],
  ['with clairvoyant: every budget named', 'auto,clairvoyant', ['ar', 'fastcoder@auto', 'fastcoder@clairvoyant']],
  ['clairvoyant alone', 'clairvoyant', ['ar', 'fastcoder@clairvoyant']],
])('replayModes: %s', (_, list, names) => {
  const modes = replayModes(parseModes('ar,fastcoder'), list);
  expect(modes.map((m) => m.name)).toEqual(names);
  expect(modes.map((m) => m.clairvoyant === true)).toEqual(names.map((n) => n.endsWith('@clairvoyant')));
});

test('replayModes: a budget word that is neither a size, auto nor clairvoyant is refused', () => {
  expect(() => replayModes(parseModes('ar,fastcoder'), '3,oracle')).toThrow("--budget: expected a non-negative integer or 'auto', got 'oracle'");
});

test("addCalibration: auto's expectations and outcomes per rank bucket and in batch reads, by hand", () => {
  const cal = emptyCalibration();
  const token = (node: number) => ({ token: 0, text: '', source: 'model' as const, sources: [], node });
  addCalibration(cal, { expected: [0.5, 0.4, 0.4], batch: 3, accepted: [token(0), token(-1)] }); // node 0 accepted, then the bonus
  addCalibration(cal, { expected: [0.9, 0.5, 0.3, 0.2], batch: 1, accepted: [token(0), token(1), token(3), token(-1)] });
  addCalibration(cal, { batch: 1, accepted: [token(-1)] }); // a fixed budget's step: nothing
  expect(cal.buckets).toEqual([{ nodes: 2, expected: 1.4, accepted: 2 }, { nodes: 4, expected: 1.6, accepted: 1 }, { nodes: 1, expected: 0.2, accepted: 1 }]);
  expect(cal.batch).toEqual({ nodes: 2, expected: 0.9, accepted: 1 });
  expect(describeCalibration(cal)).toBe('node 0: 1.40 / 2 of 2; nodes 1-2: 1.60 / 1 of 4; nodes 3-6: 0.20 / 1 of 1; batch reads: 0.90 / 1 of 2');
});
