/**
 * The weighted Trie of FastCoder (paper §IV-D): the retrieved continuations, merged from the root (the last known
 * token); every node counts how often its path occurred per source, and its weight is
 * `α·t_r + β·t_c + γ·t_cache` (+ `t_lookup` for prompt-lookup chains). The draft tree is the `budget` heaviest nodes.
 *
 * Because a continuation adds its count to every node on its path, a child never outweighs its parent; ranking nodes by
 * (weight desc, depth asc, token path lexicographically asc) therefore always keeps parents before children, so any
 * prefix of that ranking is a connected subtree of the root and, among connected subtrees of its size, one of maximal
 * total weight. Ties are broken by the ranking alone, never by insertion order. Pure data; no TensorFlow.js.
 *
 * The Trie is never built whole: each source is a `ContinuationTree` that is expanded lazily (a datastore's is read
 * from its suffix array), and `select` expands only the nodes it takes, merging the sources' children by token.
 * A node's count from a source tree is that tree's (exact) count at the node times the source's `scale`, and a node's
 * count per source kind is the sum of those over the trees of that kind, in the order they were added.
 *
 * Smoothing (`fastcoder-plus`): with λ > 0 for a source kind, a node below the root counts, from each tree of that kind,
 * its parent's count from that tree × count / (parent count + λ) instead of its own count × scale. With λ = 0 that
 * product is the plain count; with λ > 0 it shrinks a share that rests on few occurrences more than one that rests on
 * many (1 of 1 → 1/2 with λ = 1, 50 of 50 → 0.98), and more with every level. The root's children keep their counts, so
 * which first token ranks first is unchanged. A child still never outweighs its parent.
 *   Example (λ = 1 for 'common'): a common tree [5 6 7] ×1 scaled 1 → node 5: 1, 5,6: 1 · 1/2, 5,6,7: 1/4
 *
 * Example:
 *   const trie = new WeightedTrie({ alpha: 1, beta: 1, gamma: 1 });
 *   trie.insert([5, 6, 7], 'repo', 2);
 *   trie.insert([5, 8], 'common', 1);
 *   trie.select(3) // tokens [5, 6, 7], parents [-1, 0, 1], weights [3, 2, 2]
 *   trie.add(datastore.match(context, opts).tree, 'common', 1)   // a whole search result, unexpanded
 */
import Heap from 'mnemonist/heap';
import { ListTree, type ListItem } from '../retrieval/continuations';
import type { ContinuationTree, DraftSource } from '../retrieval/types';
import { type DraftTree, emptyTree } from './draft-tree';

/** A source of draft continuations: a retrieval source, or prompt lookup (`pld`). */
export type TrieSource = DraftSource | 'lookup';

/** λ of each source kind (absent: 0). Example: { common: 3, cache: 1, lookup: 1 } */
export type Smoothing = Partial<Record<TrieSource, number>>;

/** Source weights: α for D_r, β for D_c, γ for the cache (all >= 0; prompt-lookup hits weigh 1). */
export interface TrieWeights {
  alpha: number;
  beta: number;
  gamma: number;
}

const SOURCES: readonly TrieSource[] = ['repo', 'common', 'cache', 'lookup'];

type Counts = Record<TrieSource, number>;

/** One added tree, with the kind its counts go to and the factor they are multiplied by. */
interface Part {
  tree: ContinuationTree;
  source: TrieSource;
  scale: number;
}

export class WeightedTrie {
  private readonly weights: TrieWeights;
  private readonly parts: Part[] = [];
  private readonly inserted = new Map<TrieSource, ListItem[]>(); // `insert`'s continuations, one list tree per source

  constructor(weights: TrieWeights, private readonly smoothing: Smoothing = {}) {
    for (const [name, w] of Object.entries(weights)) {
      if (!Number.isFinite(w) || w < 0) throw new Error(`weighted trie: ${name} must be a finite number >= 0, got ${w}`);
    }
    for (const [name, l] of Object.entries(smoothing)) {
      checkSource(name as TrieSource);
      if (!Number.isFinite(l) || l < 0) throw new Error(`weighted trie: smoothing of ${name} must be a finite number >= 0, got ${l}`);
    }
    this.weights = { ...weights };
  }

  /**
   * A node's count from one part: `child.count` × the part's scale; below the root, when the part's source is smoothed
   * by λ, `parentCount` (the parent's count from this part) × child.count / (parent.count + λ).
   * Example: λ 1, parentCount 1, parent.count 2, child.count 1 → 1/3 (unsmoothed, scale 1: 1)
   */
  private childCount(part: Part, parent: ContinuationTree, parentCount: number, child: ContinuationTree, belowRoot: boolean): number {
    const lambda = this.smoothing[part.source] ?? 0;
    return lambda > 0 && belowRoot ? (parentCount * child.count) / (parent.count + lambda) : child.count * part.scale;
  }

  /**
   * Add the continuations of `tree` from `source`, each count multiplied by `scale` (> 0; `fastcoder-plus` normalises a
   * source result with 1 / tree.count). Nothing is expanded until `select`.
   *
   * Example: add(tree of [5 6] ×2 and [5] ×1, 'repo', 0.5) → node 5 has repo count 1.5, node 5,6 has 1.
   */
  add(tree: ContinuationTree, source: TrieSource, scale = 1): void {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`weighted trie: scale must be > 0, got ${scale}`);
    checkSource(source);
    this.parts.push({ tree, source, scale });
  }

  /**
   * Add `count` occurrences of `tokens` (a continuation of the root) from `source`; all the continuations inserted for
   * one source form one list tree, counted after the trees of `add`. The token ids are not checked here: they were
   * checked where they entered, at datastore load (`readDatastoreFile`), cache insertion (`SequenceCache.insert`) and
   * prompt encoding (`generate`). `count` may be fractional.
   *
   * Example: insert([5, 6], 'cache', 1) then insert([5], 'repo', 3) → node 5 has counts {cache 1, repo 3}.
   */
  insert(tokens: ArrayLike<number>, source: TrieSource, count: number): void {
    if (!(count > 0) || !Number.isFinite(count)) throw new Error(`weighted trie: count must be > 0, got ${count}`);
    checkSource(source);
    const list = this.inserted.get(source);
    if (list) list.push({ tokens, count });
    else this.inserted.set(source, [{ tokens, count }]);
  }

  /** Weight of a node from its counts. Example: α=1, β=0.5, counts {repo 2, common 4} → 4. */
  private weightOf(c: Counts): number {
    const { alpha, beta, gamma } = this.weights;
    return alpha * c.repo + beta * c.common + gamma * c.cache + c.lookup;
  }

  /**
   * The draft tree: the at most `budget` heaviest nodes of positive weight, as flat arrays in rank order (which is
   * topological). Example: see the class comment.
   *
   * Best-first from the root with a heap over the frontier (children of the nodes taken so far): since every node ranks
   * after its parent, the next node of the global ranking is always on the frontier, so this takes exactly the ranking's
   * first `budget` nodes while expanding only those (and the root), never the whole Trie. Of an expanded node's children
   * only those that may still be taken join the frontier (`keepBest`): a root with 13 children on average and up to 149
   * (the demo tasks), where auto drafts 8 nodes.
   */
  select(budget: number): DraftTree {
    if (!Number.isInteger(budget) || budget < 0) throw new Error(`weighted trie: budget must be an integer >= 0, got ${budget}`);
    const parts = [...this.parts, ...[...this.inserted].map(([source, items]): Part => ({ tree: new ListTree(items), source, scale: 1 }))];
    const tree = emptyTree();
    const frontier = new Heap<Candidate>(rankOrder);
    const offerChildren = (node: Candidate | null, index: number): void => {
      const children = new Map<number, Branch[]>(); // token → the node's subtrees in every part that has it, in part order
      for (const { part, tree: subtree, count } of node ? node.branches : parts.map((part, p) => ({ part: p, tree: part.tree, count: 0 }))) {
        subtree.forEachChild((token, child) => {
          const branch = { part, tree: child, count: this.childCount(parts[part], subtree, count, child, node !== null) };
          const branches = children.get(token);
          if (branches) branches.push(branch);
          else children.set(token, [branch]);
        });
      }
      const path = node ? node.path : [];
      const best: Sibling[] = []; // the children that can still be taken, in rank order (`keepBest`)
      const room = budget - tree.tokens.length;
      for (const [token, branches] of children) {
        const counts: Counts = { repo: 0, common: 0, cache: 0, lookup: 0 };
        for (const b of branches) counts[parts[b.part].source] += b.count;
        const weight = this.weightOf(counts);
        if (weight > 0) keepBest(best, { token, weight, counts, branches }, room); // a zero-weight node's subtree weighs zero too
      }
      for (const c of best) frontier.push({ parent: index, weight: c.weight, counts: c.counts, branches: c.branches, path: [...path, c.token] });
    };
    offerChildren(null, -1);
    while (tree.tokens.length < budget && frontier.size > 0) {
      const node = frontier.pop()!;
      tree.tokens.push(node.path[node.path.length - 1]);
      tree.parents.push(node.parent);
      tree.depths.push(node.path.length - 1);
      tree.weights.push(node.weight);
      for (const s of SOURCES) tree.counts[s].push(node.counts[s]);
      offerChildren(node, tree.tokens.length - 1);
    }
    return tree;
  }
}

/** Throws on a source the Trie does not count. Example: checkSource('cache') passes; checkSource('web') throws. */
function checkSource(source: TrieSource): void {
  if (!SOURCES.includes(source)) throw new Error(`weighted trie: unknown source '${source}'`);
}

/** A child being offered: its token, weight, counts and subtrees. */
interface Sibling {
  token: number;
  weight: number;
  counts: Counts;
  branches: Branch[];
}

/**
 * Insert `c` into `best` (siblings in rank order: weight desc, token asc), keeping at most `room`. A sibling ranked
 * below `room` others can never be taken: each of them is taken before it, and only `room` more nodes fit.
 * Example: best [{w 3, t 7}], room 2, c {w 3, t 5} → [{w 3, t 5}, {w 3, t 7}]; then c {w 1, t 2} → unchanged
 */
function keepBest(best: Sibling[], c: Sibling, room: number): void {
  let at = best.length;
  while (at > 0 && (best[at - 1].weight < c.weight || (best[at - 1].weight === c.weight && best[at - 1].token > c.token))) at--;
  if (at >= room) return;
  best.splice(at, 0, c);
  if (best.length > room) best.pop();
}

/** A node's subtree in one added part. */
interface Branch {
  part: number; // index into the parts
  tree: ContinuationTree;
  count: number; // the node's count from this part (its tree's count × the part's scale, or smoothed)
}

interface Candidate {
  parent: number; // index in the draft tree being built, -1 = the root
  weight: number;
  counts: Counts;
  branches: Branch[]; // where to find its children
  path: number[]; // tokens from the root (the last one is the node's): the lexicographic tiebreak
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
