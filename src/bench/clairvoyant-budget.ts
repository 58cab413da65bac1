/**
 * A draft budget that knows the answer, to measure how far `auto` is from its own rule with a perfect acceptance
 * estimate. Each step it drafts as many nodes as `auto` may verify (AUTO_MAX_NODES), finds the path that the target's
 * greedy tokens take through the tree, and verifies the first k nodes of that path, with the batch, that give the most
 * tokens per ms under the cost profile (k = 0, a plain greedy step, when no part of the path pays for its rows). `auto`
 * verifies the nodes it estimates likeliest (`byEstimate`, any connected subtree) and maximises the same rate with
 * estimated acceptances; knowing them, the likeliest nodes are the path's. So it bounds what any estimate can give `auto`
 * on these drafts and this cost model (step by step, as `auto` chooses: not the whole generation's optimum). Only where
 * the target is known beforehand: the virtual-time replay (`scripts/replay-budget.ts --budget clairvoyant`).
 *
 * Example: target tokens 6, 7, 9 after the root; tree tokens [5, 6, 7], parents [-1, -1, 1] → the path is nodes [1, 2]:
 *   k = 1 verifies node 1 (2 tokens), k = 2 nodes 1 and 2 (3 tokens); on a curve [[1, 10], [4, 12]] with free reads
 *   k = 2 (3 tokens for 11.33 ms) beats k = 0 (1 for 10) and k = 1 (2 for 10.67)
 */
import { rowsReadAlone } from '../../model/greedy';
import type { DraftTree } from '../../trie/draft-tree';
import { AUTO_MAX_NODES, type StepBudget, subtree } from '../decode/budget';
import { type CostProfile, maxBatch, stepMs } from '../decode/cost-model';

/** A step's clairvoyant choice: how much of the greedy path is verified (all of it accepted), its batch, the cost. */
export interface ClairvoyantChoice {
  nodes: number; // k, the path's first k nodes verified and accepted (0: a plain greedy step)
  batch: number; // rows whose argmaxes are read at once (1: the accepted path row by row)
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
 * The (k, b) of most tokens per ms for a greedy path of `length` nodes: k = 0, or the path's first k nodes (k + 1
 * tokens), with each batch 1..min(k + 1, maxBatch). Ties: the smaller k, then the smaller b.
 * Example: length 2, curve [[1, 10], [4, 12]], rowMs 0 → { nodes: 2, batch: 1, ms: 11.333 } (3 tokens)
 */
export function clairvoyantChoice(length: number, profile: CostProfile, context: number): ClairvoyantChoice {
  let best: ClairvoyantChoice = { nodes: 0, batch: 1, ms: stepMs(profile, 1, 0, context) };
  for (let k = 1; k <= length; k++) {
    const accepted = Array.from({ length: k }, (_, i) => i); // the verified tree is the path: node i at place i
    for (let batch = 1; batch <= Math.min(k + 1, maxBatch(profile)); batch++) {
      const ms = stepMs(profile, k + 1, rowsReadAlone(accepted, batch), context, batch);
      if ((k + 1) * best.ms > (best.nodes + 1) * ms) best = { nodes: k, batch, ms };
    }
  }
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
      const path = greedyPath(tree, next);
      const { nodes, batch } = clairvoyantChoice(path.length, profile, contextLength());
      return { tree: subtree(tree, path.slice(0, nodes)), batch: batches ? batch : undefined };
    },
    observe() {},
  };
}
