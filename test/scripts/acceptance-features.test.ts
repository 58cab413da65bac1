/**
 * scripts/acceptance-features.ts: the records of the nodes a step decides (hand-made trees and greedy tokens), and the
 * AUC against a brute-force count over all (accepted, rejected) pairs.
 */
import { auc, nodeRecords } from '../../scripts/acceptance-features';
import { seededRandom } from '../../retrieval/timing';
import type { StepTrace } from '../../src/trace/types';

/** A step over a hand-made tree; `accepted`: the step's greedy tokens (accepted nodes' tokens, then the bonus). */
function step(tokens: number[], parents: number[], weights: number[], common: number[], greedy: number[]): StepTrace {
  const zeros = tokens.map(() => 0);
  return {
    kind: 'step', step: 3, contextLength: 40, tokenInLine: 2,
    retrieval: { decision: { cacheActive: false, cacheHit: false, lineStart: false, coin: null, skipped: false, missingTableHit: false, parallel: false, ms: 0 }, sources: [{ source: 'common', matchLength: 5, matchCount: 9, candidates: 9, ms: 0 }] },
    draft: { tokens, parents, depths: parents.map((p) => (p < 0 ? 0 : 1)), weights, counts: { repo: zeros, common, cache: zeros } },
    accepted: greedy.map((token) => ({ token, text: '', source: 'model', sources: [], node: -1 })), batch: 1,
    timing: { retrieveMs: 0, trieMs: 0, forwardMs: 0, commitMs: 0, otherMs: 0 },
  };
}

// the root's children a = 7 (weight 3) and b = 8 (1); under a, c = 9 (3)
const TREE = [[7, 8, 9], [-1, -1, 0], [3, 1, 3], [3, 1, 3]] as const;

test.each([
  ['a accepted, then a token not drafted: a, b and c decided', [7, 5], [[0, 1], [1, 0], [2, 0]]],
  ['a and c accepted, then the bonus: a, b, c decided (c has no children)', [7, 9, 4], [[0, 1], [1, 0], [2, 1]]],
  ['b accepted: only the root children decided (c lies off the greedy path)', [8, 4], [[0, 0], [1, 1]]],
  ['nothing accepted: the root children only', [5], [[0, 0], [1, 0]]],
])('%s', (_, greedy, want) => {
  const [tokens, parents, weights, common] = TREE;
  const rs = nodeRecords(step([...tokens], [...parents], [...weights], [...common], greedy as number[]), 2);
  expect(rs.map((r) => [r.node, r.accepted])).toEqual(want);
});

test('a record carries what was known before the forward', () => {
  const [tokens, parents, weights, common] = TREE;
  const [a, b, c] = nodeRecords(step([...tokens], [...parents], [...weights], [...common], [7, 9, 4]), 2);
  expect(a).toMatchObject({ step: 3, depth: 0, group: 'best', source: 'common', evidence: 'few', share: 0.75, count: 3, parentCount: 0, siblings: 2, matchLength: { common: 5 }, contextLength: 40, tokenInLine: 2, previousAccepted: 2 });
  expect(b).toMatchObject({ group: 'rivals', share: 0.25, siblings: 2 });
  expect(c).toMatchObject({ depth: 1, group: 'deeper', share: 1, parentCount: 3, siblings: 1 });
  // auto's estimates before learning: share × the prior κ of (group, 'few'), capped at 1: 0.75 · 0.6, 0.25 · 0.4, 1 · 0.6
  expect([a.prior, b.prior, c.prior].map((p) => Number(p.toFixed(6)))).toEqual([0.45, 0.1, 0.6]);
});

test.each([
  [[0.9, 0.2, 0.5], [1, 0, 0], 1],
  [[0.1, 0.9], [1, 0], 0],
  [[1, 1], [1, 0], 0.5],
  [[0.3, 0.3, 0.7, 0.1], [1, 0, 0, 1], 0.125], // pairs (0.3, 0.3) half, the other three wrong: 0.5 / 4
])('auc(%j, %j) = %d', (scores, accepted, want) => {
  expect(auc(scores, accepted)).toBeCloseTo(want, 12);
});

test('auc equals the share of (accepted, rejected) pairs ranked right, ties half, on random scores with ties', () => {
  const rand = seededRandom(3);
  const scores = Array.from({ length: 300 }, () => Math.floor(rand() * 20) / 20);
  const accepted = scores.map((s) => (rand() < 0.2 + 0.6 * s ? 1 : 0));
  let right = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) for (let j = 0; j < scores.length; j++) {
    if (!accepted[i] || accepted[j]) continue;
    pairs++;
    right += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
  }
  expect(auc(scores, accepted)).toBeCloseTo(right / pairs, 12);
  expect(auc([0.5], [1])).toBeNaN();
});
