/**
 * The clairvoyant budget (src/bench/clairvoyant-budget.ts): the greedy path through a tree, the (n, b) of most tokens
 * per ms against hand-computed cases and a search of every pair, and whole generations that stay lossless.
 */
import { clairvoyantBudget, clairvoyantChoice, greedyPath } from '../../src/bench/clairvoyant-budget';
import { type CostProfile, flatProfile, PROFILE_FORMAT, profileKey, stepMs } from '../../src/decode/cost-model';
import { generate } from '../../src/decode/generate';
import { createOracle } from '../../src/decode/oracle';
import type { StepTrace, TraceLine } from '../../src/trace/types';
import { seededRandom } from '../../retrieval/timing';
import { emptyTree, type DraftTree } from '../../trie/draft-tree';
import { charTokenizer, ScriptedRetriever, sourceResult } from '../decode/helpers';

/** A profile from hand-made [rows, ms] points, a row read's ms and reads at once. */
const curve = (points: [number, number][], rowMs = 0, readMs: [number, number][] = []): CostProfile => ({ format: PROFILE_FORMAT, key: profileKey('test', 'hand-made'), curves: [{ context: 0, points }], spread: 0, rowMs, readMs, measuredAt: '' });
/** A tree from tokens and parents (weights and counts do not matter here). */
const tree = (tokens: number[], parents: number[]): DraftTree => ({ ...emptyTree(), tokens, parents, depths: parents.map(() => 0), weights: tokens.map(() => 1) });

test.each([
  ['a root child, then its child', [6, 7, 9], [1, 2]],
  ['the favourite wrong', [8], []],
  ['the first token right, the second not', [5, 9], [0]],
  ['no tokens', [], []],
])('greedyPath: %s', (_, next, path) => {
  expect(greedyPath(tree([5, 6, 7], [-1, -1, 1]), next)).toEqual(path);
});

test.each([
  // the doc example: 3 tokens for 12 ms (n = 3) beat 1 for 10 (n = 0) and 2 for 11.33 (n = 2)
  ['the whole path on a flat-ish curve', [1, 2], curve([[1, 10], [4, 12]]), { nodes: 3, batch: 1, accepted: 2, ms: 12 }],
  // each row +2 ms: n = 1: 2 tokens / 12 ms; n = 10 (the path's second node is rank 9): 3 tokens / 30 ms; n = 0: 1 / 10
  ['a shorter prefix when the path goes deep', [0, 9], curve([[1, 10], [11, 30]]), { nodes: 1, batch: 1, accepted: 1, ms: 12 }],
  // 1 + 6 · 15.6 ms for 4 tokens against 10 ms for 1
  ['none when the rows cost more than they bring', [3, 4, 5], curve([[1, 10], [65, 1000]]), { nodes: 0, batch: 1, accepted: 0, ms: 10 }],
  // three accepted rows read alone cost 3 · 5 ms; the four rows at once 1 ms more than the root's
  ['the rows read at once when that is cheaper', [0, 1, 2], curve([[1, 10], [4, 12]], 5, [[1, 1], [4, 2]]), { nodes: 3, batch: 4, accepted: 3, ms: 13 }],
])('clairvoyantChoice: %s', (_, path, profile, choice) => {
  const got = clairvoyantChoice(path, profile, 0);
  expect({ ...got, ms: +got.ms.toFixed(9) }).toEqual(choice);
});

test('clairvoyantChoice: the rate of a search of every prefix and batch (random paths and curves)', () => {
  const rand = seededRandom(7);
  for (let trial = 0; trial < 200; trial++) {
    const path: number[] = []; // strictly increasing: rank order puts a parent before its children
    for (let node = Math.floor(rand() * 3); node < 40 && path.length < 6; node += 1 + Math.floor(rand() * 6)) path.push(node);
    const points: [number, number][] = [[1, 5 + 10 * rand()]];
    for (const rows of [2, 5, 9, 17, 33, 65]) points.push([rows, points[points.length - 1][1] + 20 * rand()]);
    const reads: [number, number][] = trial % 2 ? [] : [[1, 1], [4, 1 + 2 * rand()], [8, 3 + 3 * rand()], [17, 6 + 6 * rand()]];
    const profile = curve(points, 3 * rand(), reads);
    let best = 1 / stepMs(profile, 1, 0, 0);
    for (let n = 1; n <= 41; n++) {
      const beyond = path.findIndex((node) => node >= n);
      const accepted = beyond < 0 ? path.length : beyond;
      for (let b = 1; b <= Math.min(n + 1, reads.length > 0 ? 17 : 1); b++) {
        const alone = path.slice(0, accepted).filter((node) => node >= b - 1).length;
        best = Math.max(best, (accepted + 1) / stepMs(profile, n + 1, alone, 0, b));
      }
    }
    const choice = clairvoyantChoice(path, profile, 0);
    expect((choice.accepted + 1) / choice.ms).toBeCloseTo(best, 12);
  }
});

describe('generate with the clairvoyant budget', () => {
  const VOCAB = 64;
  const PROMPT = [40, 41, 42];
  const REF = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
  const script = [...PROMPT, ...REF, 0];
  // a heavier wrong chain ranks first (nodes 0-2), the right 3-token chain after it (nodes 3-5)
  const drafts = () => new ScriptedRetriever((ctx) => [sourceResult('repo', [[[50, 51, 52], 3], [script.slice(ctx.length, ctx.length + 3), 1]])]);
  const run = async (profile: CostProfile) => {
    const lm = createOracle(REF, { vocabSize: VOCAB, prompt: PROMPT, eosId: 0 });
    const lines: TraceLine[] = [];
    const stepBudget = clairvoyantBudget([...REF, 0], PROMPT.length, profile, () => lm.cacheLength);
    const r = await generate(lm, charTokenizer(VOCAB), PROMPT, { mode: 'fastcoder', eosIds: [0], stepBudget, retriever: drafts(), trace: { write: (l) => lines.push(l) } });
    const steps = lines.filter((l): l is StepTrace => l.kind === 'step');
    return { ...r, header: lines[0], verified: steps.map((s) => s.draft.tokens.length) };
  };

  test('a flat curve: every step verifies the prefix that holds the right chain, behind the wrong one, and accepts all of it', async () => {
    const r = await run(flatProfile(10));
    expect(r.tokens).toEqual([...REF, 0]);
    expect(r.metrics.forwards).toBe(5); // 17 tokens, 4 a step (3 accepted + the bonus): 4 + 4 + 4 + 4 + 1
    expect(r.verified.slice(0, 4)).toEqual([6, 6, 6, 6]);
    expect(r.header).toMatchObject({ kind: 'header', options: { stepBudget: true } }); // named by presence, as the retriever is
  });

  test('a steep curve: greedy steps throughout, though the right chain is drafted; output unchanged', async () => {
    const r = await run(curve([[1, 10], [65, 1000]]));
    expect(r.tokens).toEqual([...REF, 0]);
    expect(r.metrics.forwards).toBe(REF.length + 1);
    expect(r.verified.every((n) => n === 0)).toBe(true);
  });
});
