/**
 * A draft budget that knows the answer, to measure how far `auto` is from its own rule with a perfect acceptance
 * estimate. Each step it drafts as many nodes as `auto` may verify (AUTO_MAX_NODES), finds the path that the target's
 * greedy tokens take through the tree, and verifies the rank-order prefix and batch (n, b) that give the most tokens per
 * ms under the cost profile (n = 0, a plain greedy step, when no accepted prefix pays for its rows). `auto` maximises the
 * same rate with estimated acceptances; here each prefix's acceptance is known. So it bounds what any estimate can give
 * `auto` on these drafts and this cost model (step by step, as `auto` chooses: not the whole generation's optimum). Only
 * where the target is known beforehand: the virtual-time replay (`scripts/replay-budget.ts --budget clairvoyant`).
 *
 * Example: target tokens 6, 7, 9 after the root; tree tokens [5, 6, 7], parents [-1, -1, 1] → the path is nodes [1, 2]:
 *   n = 2 accepts node 1 (2 tokens), n = 3 accepts nodes 1 and 2 (3 tokens); on a curve [[1, 10], [4, 12]] with free reads
 *   n = 3 (3 tokens for 12 ms) beats n = 0 (1 for 10) and n = 2 (2 for 11.33)
 */
import { rowsReadAlone } from '../../model/greedy';
import type { DraftTree } from '../../trie/draft-tree';
import { AUTO_MAX_NODES, type StepBudget, trimTree } from '../decode/budget';
import { type CostProfile, maxBatch, stepMs } from '../decode/cost-model';

/** A step's clairvoyant choice: the prefix verified, its batch, and what it yields. */
export interface ClairvoyantChoice {
  nodes: number; // n, the rank-order prefix verified (0: a plain greedy step)
  batch: number; // rows whose argmaxes are read at once (1: the accepted path row by row)
  accepted: number; // nodes the prefix accepts
  ms: number; // the step's cost on the profile
}

/**
 * The nodes the greedy tokens `next` (the root's continuation) follow through `tree`, root child first.
 * Example: tree tokens [5, 6, 7], parents [-1, -1, 1], next [6, 7, 9] → [1, 2]; next [8] → []
 */
export function greedyPath(tree: DraftTree, next: ArrayLike<number>): number[] {
  const path: number[] = [];
  for (let depth = 0, parent = -1; depth < next.length; depth++) {
    const child = tree.tokens.findIndex((t, i) => tree.parents[i] === parent && t === next[depth]);
    if (child < 0) break;
    path.push(child);
    parent = child;
  }
  return path;
}

/**
 * The (n, b) of most tokens per ms for a tree whose greedy path is `path`: n = 0, or for each k the smallest prefix that
 * holds the path's first k nodes (node path[k - 1] and all before it: rank order puts a parent before its children, so the
 * path's indices increase), with each batch 1..min(n + 1, maxBatch). Ties: the smaller n, then the smaller b.
 * Example: path [1, 2], curve [[1, 10], [4, 12]], rowMs 0 → { nodes: 3, batch: 1, accepted: 2, ms: 12 }
 */
export function clairvoyantChoice(path: readonly number[], profile: CostProfile, context: number): ClairvoyantChoice {
  let best: ClairvoyantChoice = { nodes: 0, batch: 1, accepted: 0, ms: stepMs(profile, 1, 0, context) };
  path.forEach((last, k) => {
    const [nodes, accepted] = [last + 1, k + 1];
    for (let batch = 1; batch <= Math.min(nodes + 1, maxBatch(profile)); batch++) {
      const ms = stepMs(profile, nodes + 1, rowsReadAlone(path.slice(0, accepted), batch), context, batch);
      if ((accepted + 1) * best.ms > (best.accepted + 1) * ms) best = { nodes, batch, accepted, ms };
    }
  });
  return best;
}

/**
 * The clairvoyant budget of one generation: `target` is what it will generate (the greedy tokens after the prompt),
 * `promptLength` the prompt's length, `contextLength` the cache length the next forward runs on.
 * Example: const b = clairvoyantBudget(reference, prompt.length, profile, () => lm.cacheLength);
 *          await generate(lm, tok, prompt, { mode: 'fastcoder', stepBudget: b, ... })
 */
export function clairvoyantBudget(target: ArrayLike<number>, promptLength: number, profile: CostProfile, contextLength: () => number): StepBudget {
  let generated = 0; // tokens generated before this step
  const batches = maxBatch(profile) > 1;
  return {
    draft(drafter, context) {
      generated = context.length - promptLength;
      return drafter.draft(context, AUTO_MAX_NODES);
    },
    trim(tree) {
      const next = Array.prototype.slice.call(target, generated, generated + tree.tokens.length + 1) as number[];
      const { nodes, batch } = clairvoyantChoice(greedyPath(tree, next), profile, contextLength());
      return { tree: trimTree(tree, nodes), batch: batches ? batch : undefined };
    },
    observe() {},
  };
}
