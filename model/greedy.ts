/**
 * What greedy decoding means, in one place: the argmax of a logits row, and greedy verification of a draft tree (accept
 * the longest root-to-node path whose every token equals the argmax of its parent's row, then the argmax after the last
 * accepted node as the bonus token: exactly what plain greedy decoding would have produced, token by token). Used by
 * the decoder (`src/decode/generate.ts`), the HF checks (`hf-fixture.ts`) and the notebooks.
 */
import type { CausalLM } from './causal-lm';

/**
 * Index of the largest value in row `row` of a row-major `[rows × vocab]` array; ties go to the lowest index.
 *
 * Example: argmaxRow(Float32Array.of(0, 3, 1,  5, 5, 2), 1, 3) → 0
 */
export function argmaxRow(logits: Float32Array, row: number, vocab: number): number {
  const start = row * vocab;
  let best = 0;
  let bestValue = logits[start];
  for (let j = 1; j < vocab; j++) {
    const v = logits[start + j];
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

export interface Acceptance {
  nodes: number[]; // accepted draft nodes, root to leaf
  tokens: number[]; // their tokens, then the bonus token
  rows: number[]; // forward rows to commit: 0 (the root), then 1 + node for each accepted node
}

/**
 * Walk the tree from the root following argmax tokens. `argmaxOf(row)` is the argmax of a forward row, rows being
 * [root, node 0, node 1, ...]; it is asked only for the rows on the accepted path (so a model can compute just those
 * logits rows), in path order.
 *
 * Example: tree tokens [5, 6, 9], parents [-1, 0, -1]; argmax of row 0 (root) = 9, of row 3 (node 2) = 4 →
 *   { nodes: [2], tokens: [9, 4], rows: [0, 3] }
 */
export async function acceptGreedy(tokens: ArrayLike<number>, parents: ArrayLike<number>, argmaxOf: (row: number) => number | Promise<number>): Promise<Acceptance> {
  const children = new Map<number, number[]>(); // parent node (-1 = root) → child nodes
  for (let i = 0; i < parents.length; i++) {
    const list = children.get(parents[i]);
    if (list) list.push(i);
    else children.set(parents[i], [i]);
  }
  const result: Acceptance = { nodes: [], tokens: [], rows: [0] };
  let node = -1;
  for (;;) {
    const next = await argmaxOf(node + 1);
    result.tokens.push(next);
    const child = (children.get(node) ?? []).find((c) => tokens[c] === next);
    if (child === undefined) return result;
    result.nodes.push(child);
    result.rows.push(child + 1);
    node = child;
  }
}

/**
 * Greedy acceptance after the verification forward over [root + tree], with the argmaxes computed by the model
 * (`CausalLM.argmax`): the first `batch` rows (the root and the first `batch - 1` nodes in rank order) in one read, then
 * each further row on the accepted path one at a time. `batch` defaults to what `model.verifyRows` says is cheaper on its
 * backend: 1 ('path': only the rows on the accepted path) or every row ('all': one read per step). On one CPU core the
 * lm_head kernels of model/wasm-head.ts read 2 rows for about the price of 1 and 4 for about that of 2, so `--budget
 * auto` picks `batch` per step from the cost model. Every batch gives the same acceptance.
 *
 * Example: after model.forwardHidden([root, 5, 6, 9], ...) for tokens [5, 6, 9], parents [-1, 0, -1]:
 *   await acceptOnModel(model, [5, 6, 9], [-1, 0, -1])      // as acceptGreedy with argmaxOf = the model's argmax of a row
 *   await acceptOnModel(model, [5, 6, 9], [-1, 0, -1], 3)   // reads rows 0-2 at once, row 3 only if node 2 is accepted
 */
export async function acceptOnModel(model: Pick<CausalLM, 'argmax' | 'verifyRows'>, tokens: ArrayLike<number>, parents: ArrayLike<number>, batch?: number): Promise<ModelAcceptance> {
  const rows = tokens.length + 1;
  const first = Math.max(1, Math.min(rows, batch ?? (model.verifyRows === 'all' ? rows : 1)));
  const read = await model.argmax(Array.from({ length: first }, (_, i) => i)); // [first]
  const acc = await acceptGreedy(tokens, parents, async (row) => (row < first ? read[row] : (await model.argmax([row]))[0]));
  return { ...acc, batch: first };
}

/**
 * How many of the accepted nodes a read of the first `batch` rows leaves to be read one at a time: those beyond node
 * batch - 2 (row i + 1 is node i's). Example: accepted nodes [0, 2, 5], batch 4 (rows 0-3: nodes 0-2) → 1
 */
export function rowsReadAlone(acceptedNodes: readonly number[], batch: number): number {
  return acceptedNodes.filter((node) => node >= batch - 1).length;
}

/** A greedy acceptance on the model, and how its rows were read. */
export interface ModelAcceptance extends Acceptance {
  batch: number; // rows whose argmaxes the first read returned (rows 0..batch-1); each accepted row beyond them was read alone
}
