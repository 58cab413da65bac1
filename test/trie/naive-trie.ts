/**
 * Test oracle: the weighted Trie built the obvious way, as the library did before it expanded sources lazily. Every
 * continuation is inserted node by node; a node keeps one count per part (a source tree with its kind and scale); its
 * count per kind is the sum over the parts of that kind, in part order, of count × scale (with smoothing λ for the
 * part's kind, below the root: the parent's count from the part × count / (parent's raw count + λ)); all nodes are
 * sorted by the ranking and the first `budget` taken.
 */
import type { Smoothing, TrieSource, TrieWeights } from '../../trie/weighted-trie';
import { type DraftTree, emptyTree } from '../../trie/draft-tree';

interface NaiveNode {
  children: Map<number, NaiveNode>;
  counts: number[]; // per part
}

const KINDS: readonly TrieSource[] = ['repo', 'common', 'cache', 'lookup'];

export class NaiveTrie {
  private readonly parts: { source: TrieSource; scale: number }[] = [];
  private readonly root: NaiveNode = { children: new Map(), counts: [] };

  /** Declare a part; returns its index for `insert`. */
  part(source: TrieSource, scale = 1): number {
    return this.parts.push({ source, scale }) - 1;
  }

  insert(tokens: ArrayLike<number>, part: number, count: number): void {
    let node = this.root;
    for (let i = 0; i < tokens.length; i++) {
      let child = node.children.get(tokens[i]);
      if (!child) node.children.set(tokens[i], (child = { children: new Map(), counts: [] }));
      child.counts[part] = (child.counts[part] ?? 0) + count;
      node = child;
    }
  }

  select(budget: number, weights: TrieWeights, smoothing: Smoothing = {}): DraftTree {
    const all: { path: number[]; counts: Record<TrieSource, number>; weight: number }[] = [];
    const walk = (node: NaiveNode, path: number[], parentCounts: number[]): void => {
      for (const [token, child] of node.children) {
        const partCounts = this.parts.map((p, i) => {
          const raw = child.counts[i] ?? 0;
          const lambda = smoothing[p.source] ?? 0;
          return path.length > 0 && lambda > 0 && raw > 0 ? (parentCounts[i] * raw) / (node.counts[i] + lambda) : raw * p.scale;
        });
        const counts = { repo: 0, common: 0, cache: 0, lookup: 0 };
        this.parts.forEach((p, i) => (counts[p.source] += partCounts[i]));
        const weight = weights.alpha * counts.repo + weights.beta * counts.common + weights.gamma * counts.cache + counts.lookup;
        all.push({ path: [...path, token], counts, weight });
        walk(child, [...path, token], partCounts);
      }
    };
    walk(this.root, [], []);
    const ranked = all.filter((n) => n.weight > 0).sort((a, b) => b.weight - a.weight || comparePaths(a.path, b.path)).slice(0, budget);
    const index = new Map(ranked.map((n, i) => [n.path.join(','), i]));
    const tree = emptyTree();
    for (const n of ranked) {
      tree.tokens.push(n.path[n.path.length - 1]);
      tree.parents.push(n.path.length > 1 ? index.get(n.path.slice(0, -1).join(','))! : -1);
      tree.depths.push(n.path.length - 1);
      tree.weights.push(n.weight);
      for (const k of KINDS) tree.counts[k].push(n.counts[k]);
    }
    return tree;
  }
}

/** Shorter first, then lexicographic by token ids. Example: ([6], [5, 9]) → negative. */
function comparePaths(a: number[], b: number[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
