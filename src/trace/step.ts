/**
 * Builds the trace of one verification step (`StepTrace` in `src/trace/types.ts`) from the draft tree and the accepted run.
 */
import type { DraftSource } from '../../retrieval/types';
import type { DraftTree } from '../../trie/draft-tree';
import type { AcceptedToken, DraftTrace, TokenSource } from './types';

/** Order in which a node's sources are listed (the first is `AcceptedToken.source`): Algorithm 1 consults the cache first. */
const SOURCE_ORDER = ['cache', 'repo', 'common', 'lookup'] as const;

/**
 * Every source whose continuations contain the path to `node`. Example: counts { repo: [2], common: [0], cache: [1],
 * lookup: [0] }, node 0 → ['cache', 'repo']
 */
export function nodeSources(tree: DraftTree, node: number): (DraftSource | 'lookup')[] {
  return SOURCE_ORDER.filter((s) => tree.counts[s][node] > 0);
}

/** The draft tree as traced. */
export function draftTrace(tree: DraftTree): DraftTrace {
  return { tokens: tree.tokens, parents: tree.parents, depths: tree.depths, weights: tree.weights, counts: tree.counts };
}

/**
 * The tokens a step appended, each with its source: accepted draft nodes, then the model's bonus token; `kept` cuts the
 * list where generation stopped.
 *
 * Example: nodes [4], tokens [17, 9] (17 from node 4, found in repo), kept 2 →
 *   [{ token: 17, source: 'repo', sources: ['repo'], node: 4, ... }, { token: 9, source: 'model', sources: ['model'], node: -1, ... }]
 */
export function acceptedTokens(tree: DraftTree, nodes: number[], tokens: number[], kept: number, text: (t: number) => string): AcceptedToken[] {
  return tokens.slice(0, kept).map((token, i) => {
    const node = i < nodes.length ? nodes[i] : -1;
    const sources: TokenSource[] = node >= 0 ? nodeSources(tree, node) : ['model'];
    return { token, text: text(token), source: sources[0] ?? 'model', sources, node };
  });
}

/**
 * Index within its line of the token after `context`: tokens since the last one whose text holds a newline.
 *
 * Example: texts ['a', '\n', 'b', 'c'], context [0, 1, 2, 3] → 2
 */
export function tokenInLine(context: ArrayLike<number>, texts: string[]): number {
  let count = 0;
  for (let i = context.length - 1; i >= 0; i--, count++) if ((texts[context[i]] ?? '').includes('\n')) break;
  return count;
}
