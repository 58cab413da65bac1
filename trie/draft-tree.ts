/**
 * A selected draft tree as flat arrays (topological order: a node's parent index is smaller than its own), and the
 * tensors one verification forward needs: the ancestor-or-self mask, position ids, root-to-leaf paths.
 * Convention (as in `test/fixtures/hf-llama/*\/cases.json` `tree`): parent -1 = child of the root (the last known
 * token), depth 0 for the root's children. Pure data; no TensorFlow.js.
 */

/** Per-node occurrence counts by source: t_r (repo), t_c (common), t_cache, and prompt-lookup hits. */
export interface SourceCounts {
  repo: number[];
  common: number[];
  cache: number[];
  lookup: number[];
}

export interface DraftTree {
  tokens: number[]; // token id per node
  parents: number[]; // parent node index, -1 = child of the root
  depths: number[]; // 0 for the root's children
  weights: number[]; // α·t_r + β·t_c + γ·t_cache (+ t_lookup) per node
  counts: SourceCounts; // per-node counts behind the weights
}

/** The empty tree: nothing to verify but the root. Example: emptyTree().tokens → [] */
export function emptyTree(): DraftTree {
  return { tokens: [], parents: [], depths: [], weights: [], counts: { repo: [], common: [], cache: [], lookup: [] } };
}

/**
 * Ancestor-or-self mask `[n × n]`, row-major: 1 iff column j is row i or one of its ancestors.
 *
 * Example: parents [-1, 0, -1] (two branches, node 1 under node 0) →
 *   [1,0,0,
 *    1,1,0,
 *    0,0,1]
 */
export function ancestorMask(parents: ArrayLike<number>): Uint8Array {
  const n = parents.length;
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const p = parents[i];
    if (p >= i) throw new Error(`draft tree: node ${i} has parent ${p}; parents must precede their children`);
    if (p >= 0) mask.set(mask.subarray(p * n, p * n + n), i * n); // inherit the parent's row
    mask[i * n + i] = 1;
  }
  return mask;
}

/**
 * Position id of each node: `base + depth`, where `base` is the position of the root's children.
 *
 * Example: positionIds([0, 1, 0], 25) → [25, 26, 25]
 */
export function positionIds(depths: ArrayLike<number>, base: number): number[] {
  return Array.from(depths, (d) => base + d);
}

/**
 * Root-to-leaf paths as node indices, one per leaf, in leaf order.
 *
 * Example: parents [-1, 0, -1, 1] → [[0, 1, 3], [2]]
 */
export function leafPaths(parents: ArrayLike<number>): number[][] {
  const n = parents.length;
  const hasChild = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (parents[i] >= 0) hasChild[parents[i]] = 1;
  const paths: number[][] = [];
  for (let leaf = 0; leaf < n; leaf++) {
    if (hasChild[leaf]) continue;
    const path: number[] = [];
    for (let v = leaf; v >= 0; v = parents[v]) path.push(v);
    paths.push(path.reverse());
  }
  return paths;
}

/** Inputs of one verification forward over [root + tree]. */
export interface VerifyInputs {
  tokens: number[]; // [root, ...tree tokens]
  positions: number[]; // root at `rootPosition`, node i at rootPosition + 1 + depth
  mask: Uint8Array; // [(n+1) × (n+1)]: everyone sees the root; among the nodes, ancestor-or-self
}

/**
 * The root token (not yet in the KV cache) followed by the tree; row 0 of the logits predicts the root's successor,
 * row 1 + i the successor of node i.
 *
 * Example: verifyInputs(7, 24, tree with tokens [5, 6], parents [-1, 0], depths [0, 1]) →
 *   tokens [7, 5, 6], positions [24, 25, 26], mask [1,0,0, 1,1,0, 1,1,1]
 */
export function verifyInputs(root: number, rootPosition: number, tree: DraftTree): VerifyInputs {
  const n = tree.tokens.length;
  const inner = ancestorMask(tree.parents);
  const m = n + 1;
  const mask = new Uint8Array(m * m);
  mask[0] = 1;
  for (let i = 0; i < n; i++) {
    mask[(i + 1) * m] = 1;
    mask.set(inner.subarray(i * n, i * n + n), (i + 1) * m + 1);
  }
  return { tokens: [root, ...tree.tokens], positions: [rootPosition, ...positionIds(tree.depths, rootPosition + 1)], mask };
}
