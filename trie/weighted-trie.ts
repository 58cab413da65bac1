/**
 * The weighted Trie of FastCoder (paper §IV-D): retrieved continuations are inserted from the root (the last known
 * token); every node counts how often its path occurred per source, and its weight is
 * `α·t_r + β·t_c + γ·t_cache` (+ `t_lookup` for prompt-lookup chains). The draft tree is the `budget` heaviest nodes.
 *
 * Because a continuation adds its count to every node on its path, a child never outweighs its parent; ranking nodes by
 * (weight desc, depth asc, token path lexicographically asc) therefore always keeps parents before children, so any
 * prefix of that ranking is a connected subtree of the root and, among connected subtrees of its size, one of maximal
 * total weight. Ties are broken by the ranking alone, never by insertion order. Pure data; no TensorFlow.js.
 *
 * Example:
 *   const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
 *   trie.insert([5, 6, 7], 'repo', 2);
 *   trie.insert([5, 8], 'common', 1);
 *   trie.select(3) // tokens [5, 6, 7], parents [-1, 0, 1], weights [3, 2, 2]
 */
import Heap from 'mnemonist/heap';
import type { DraftSource } from '../retrieval/types';
import { type DraftTree, emptyTree } from './draft-tree';

/** A source of draft continuations: a retrieval source, or prompt lookup (`pld`). */
export type TrieSource = DraftSource | 'lookup';

/** Source weights: α for D_r, β for D_c, γ for the cache (all >= 0; prompt-lookup hits weigh 1). */
export interface TrieWeights {
  alpha: number;
  beta: number;
  gamma: number;
}

interface TrieNode {
  token: number;
  depth: number; // 0 for children of the root
  children: Map<number, TrieNode> | null; // null until the first child (most nodes are leaves: no Map to collect)
  // counts per source, as plain fields (one object per node: a Trie has up to k · span nodes per step)
  repo: number;
  common: number;
  cache: number;
  lookup: number;
}

const SOURCES: readonly TrieSource[] = ['repo', 'common', 'cache', 'lookup'];

function newNode(token: number, depth: number): TrieNode {
  return { token, depth, children: null, repo: 0, common: 0, cache: 0, lookup: 0 };
}

export class WeightedTrie {
  private readonly root = newNode(-1, -1);
  private readonly weights: TrieWeights;

  constructor(weights: TrieWeights) {
    for (const [name, w] of Object.entries(weights)) {
      if (!Number.isFinite(w) || w < 0) throw new Error(`weighted trie: ${name} must be a finite number >= 0, got ${w}`);
    }
    this.weights = { ...weights };
  }

  /**
   * Add `count` occurrences of `tokens` (a continuation of the root) from `source`. The token ids are not checked here
   * (this runs for every token of up to k continuations a step): they were checked where they entered, at datastore
   * load (`readDatastoreFile`), cache insertion (`SequenceCache.insert`) and prompt encoding (`generate`).
   * `count` may be fractional (per-source normalised counts of `fastcoder-plus`).
   *
   * Example: insert([5, 6], 'cache', 1) then insert([5], 'repo', 3) → node 5 has counts {cache 1, repo 3}.
   */
  insert(tokens: ArrayLike<number>, source: TrieSource, count: number): void {
    if (!(count > 0) || !Number.isFinite(count)) throw new Error(`weighted trie: count must be > 0, got ${count}`);
    if (!SOURCES.includes(source)) throw new Error(`weighted trie: unknown source '${source}'`);
    let node = this.root;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      node.children ??= new Map();
      let child = node.children.get(t);
      if (!child) node.children.set(t, (child = newNode(t, node.depth + 1)));
      child[source] += count;
      node = child;
    }
  }

  /** Weight of a node from its counts. Example: α=1, β=0.5, counts {repo 2, common 4} → 4. */
  private weightOf(node: TrieNode): number {
    const { alpha, beta, gamma } = this.weights;
    return alpha * node.repo + beta * node.common + gamma * node.cache + node.lookup;
  }

  /**
   * The draft tree: the at most `budget` heaviest nodes of positive weight, as flat arrays in rank order (which is
   * topological). Example: see the class comment.
   *
   * Best-first from the root with a heap over the frontier (children of the nodes taken so far): since every node ranks
   * after its parent, the next node of the global ranking is always on the frontier, so this takes exactly the ranking's
   * first `budget` nodes while visiting only those and their children, not the whole Trie (up to k · span nodes).
   */
  select(budget: number): DraftTree {
    if (!Number.isInteger(budget) || budget < 0) throw new Error(`weighted trie: budget must be an integer >= 0, got ${budget}`);
    const tree = emptyTree();
    const frontier = new Heap<Candidate>(rankOrder);
    const offerChildren = (node: TrieNode, index: number, path: number[]): void => {
      if (!node.children) return;
      for (const child of node.children.values()) {
        const weight = this.weightOf(child);
        if (weight > 0) frontier.push({ node: child, parent: index, weight, path: [...path, child.token] }); // a zero-weight node's subtree weighs zero too
      }
    };
    offerChildren(this.root, -1, []);
    while (tree.tokens.length < budget && frontier.size > 0) {
      const { node, parent, weight, path } = frontier.pop()!;
      tree.tokens.push(node.token);
      tree.parents.push(parent);
      tree.depths.push(node.depth);
      tree.weights.push(weight);
      for (const s of SOURCES) tree.counts[s].push(node[s]);
      offerChildren(node, tree.tokens.length - 1, path);
    }
    return tree;
  }
}

interface Candidate {
  node: TrieNode;
  parent: number; // index in the draft tree being built, -1 = the root
  weight: number;
  path: number[]; // tokens from the root: the lexicographic tiebreak
}

/**
 * The ranking as a heap comparator (negative = `a` first): weight desc, depth asc, token path lexicographically asc.
 * Example: {weight 2, path [5, 9]} before {weight 2, path [6]}? No: depth 0 < 1, so [6] comes first.
 */
function rankOrder(a: Candidate, b: Candidate): number {
  if (a.weight !== b.weight) return b.weight - a.weight;
  if (a.path.length !== b.path.length) return a.path.length - b.path.length;
  for (let i = 0; i < a.path.length; i++) if (a.path[i] !== b.path[i]) return a.path[i] - b.path[i];
  return 0;
}
