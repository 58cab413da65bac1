/**
 * Continuation trees held as explicit lists (the cache's occurrences, prompt-lookup chains, `WeightedTrie.insert`), the
 * listing of any tree's distinct continuations, and the source result that carries a tree. Pure data; no TensorFlow.js.
 *
 * Example:
 *   const tree = new ListTree([{ tokens: [5, 6], count: 2 }, { tokens: [5], count: 1 }]);
 *   tree.count                // 3
 *   listContinuations(tree)   // [{ tokens: [5], count: 1 }, { tokens: [5, 6], count: 2 }]
 */
import type { SuffixMatch } from './suffix-array';
import type { Continuation, ContinuationTree, DraftSource, SourceResult, TreeMatch } from './types';

/** One sequence of a `ListTree` and its count (> 0; may be fractional). */
export interface ListItem {
  tokens: ArrayLike<number>;
  count: number;
}

/**
 * A continuation tree over a list of sequences: a node holds the indices of the items that begin with its path, and
 * groups them by their next token when it is expanded (each item visited once per expanded node it passes through).
 * Counts are summed in list order. Empty items count nowhere.
 */
export class ListTree implements ContinuationTree {
  readonly count: number;
  private readonly members: number[];

  constructor(
    private readonly items: readonly ListItem[],
    members?: number[], // items through this node (default: every non-empty item)
    private readonly depth = 0, // path length of this node
  ) {
    this.members = members ?? items.flatMap((item, i) => (item.tokens.length > 0 ? [i] : []));
    let count = 0;
    for (const m of this.members) count += items[m].count;
    this.count = count;
  }

  forEachChild(visit: (token: number, child: ContinuationTree) => void): void {
    const groups = new Map<number, number[]>();
    for (const m of this.members) {
      const tokens = this.items[m].tokens;
      if (tokens.length <= this.depth) continue;
      const t = tokens[this.depth];
      const group = groups.get(t);
      if (group) group.push(m);
      else groups.set(t, [m]);
    }
    for (const t of [...groups.keys()].sort((a, b) => a - b)) visit(t, new ListTree(this.items, groups.get(t), this.depth + 1));
  }
}

/**
 * The distinct continuations of a tree with their counts, depth first in ascending token order (a continuation before
 * its extensions: for a datastore that is suffix-array order). A node's own count is what its children do not hold, so
 * the counts must be exact (integers, as every search gives).
 *
 * Example: the tree of [5 6] ×2 and [5] ×1 → [{ [5], 1 }, { [5 6], 2 }]
 */
export function listContinuations(tree: ContinuationTree): Continuation[] {
  const out: Continuation[] = [];
  const path: number[] = [];
  const walk = (node: ContinuationTree): void => {
    const children: [number, ContinuationTree][] = [];
    let below = 0;
    node.forEachChild((token, child) => {
      children.push([token, child]);
      below += child.count;
    });
    if (path.length > 0 && node.count > below) out.push({ tokens: Int32Array.from(path), count: node.count - below });
    for (const [token, child] of children) {
      path.push(token);
      walk(child);
      path.pop();
    }
  };
  walk(tree);
  return out;
}

/** A match with its continuations listed. Example: listMatch({ matchLength: 2, matchCount: 3, tree }) → { 2, 3, continuations } */
export function listMatch(match: TreeMatch): SuffixMatch {
  return { matchLength: match.matchLength, matchCount: match.matchCount, continuations: listContinuations(match.tree) };
}

/**
 * A source's search result, stamped with its source and duration; `continuations` lists the tree when read.
 * Example: sourceResult('repo', { matchLength: 2, matchCount: 1, tree }, 0.01).continuations → [{ tokens, count: 1 }]
 */
export function sourceResult(source: DraftSource, match: TreeMatch, ms: number): SourceResult {
  const { matchLength, matchCount, tree } = match;
  return {
    source,
    matchLength,
    matchCount,
    tree,
    ms,
    get continuations() {
      return listContinuations(tree);
    },
  };
}
