import { seededRandom } from '../../retrieval/timing';
import { WeightedTrie, type Smoothing, type TrieSource } from '../../trie/weighted-trie';
import type { DraftTree } from '../../trie/draft-tree';

const W1 = { alpha: 1, beta: 1, gamma: 1 };

type Insert = [number[], TrieSource, number];

function build(inserts: Insert[], weights = W1, smoothing: Smoothing = {}): WeightedTrie {
  const trie = new WeightedTrie(weights, smoothing);
  for (const [tokens, source, count] of inserts) trie.insert(tokens, source, count);
  return trie;
}

/** Root-to-node token path of every selected node. */
function paths(tree: DraftTree): string[] {
  const out: string[] = [];
  for (let i = 0; i < tree.tokens.length; i++) {
    const p = tree.parents[i];
    out.push((p < 0 ? '' : out[p] + ',') + tree.tokens[i]);
  }
  return out;
}

describe('WeightedTrie: hand-computed cases', () => {
  test('weights add along shared prefixes; rank order is topological', () => {
    const tree = build([
      [[5, 6, 7], 'repo', 2],
      [[5, 8], 'common', 1],
      [[9], 'cache', 1],
    ]).select(64);
    // weights 5 → 3, 5,6 → 2, 5,6,7 → 2, 9 → 1 (depth 0), 5,8 → 1 (depth 1)
    expect(paths(tree)).toEqual(['5', '5,6', '5,6,7', '9', '5,8']);
    expect(tree.weights).toEqual([3, 2, 2, 1, 1]);
    expect(tree.parents).toEqual([-1, 0, 1, -1, 0]);
    expect(tree.depths).toEqual([0, 1, 2, 0, 1]);
    expect(tree.counts).toEqual({ repo: [2, 2, 2, 0, 0], common: [1, 0, 0, 0, 1], cache: [0, 0, 0, 1, 0], lookup: [0, 0, 0, 0, 0] });
  });

  test('budget cut keeps the heaviest nodes', () => {
    const tree = build([
      [[1, 2, 3, 4], 'common', 3],
      [[7, 8], 'common', 5],
    ]).select(3);
    expect(paths(tree)).toEqual(['7', '7,8', '1']);
  });

  test('ties: shallower first, then the lexicographically smaller path, whatever the insertion order', () => {
    const inserts: Insert[] = [
      [[4, 1], 'common', 1],
      [[3, 9], 'common', 1],
      [[3, 2], 'repo', 1],
    ];
    // weights: 3 → 2, 4 → 1, 3,2 → 1, 3,9 → 1, 4,1 → 1
    const expected = ['3', '4', '3,2', '3,9', '4,1'];
    expect(paths(build(inserts).select(64))).toEqual(expected);
    expect(paths(build([...inserts].reverse()).select(64))).toEqual(expected);
    expect(build(inserts).select(3).weights).toEqual([2, 1, 1]);
    expect(paths(build(inserts).select(3))).toEqual(['3', '4', '3,2']);
  });

  test('α and β change the choice between a repo and a common continuation', () => {
    const inserts: Insert[] = [
      [[10, 11], 'repo', 2],
      [[20, 21], 'common', 3],
    ];
    expect(paths(build(inserts, { alpha: 1, beta: 1, gamma: 1 }).select(2))).toEqual(['20', '20,21']);
    expect(paths(build(inserts, { alpha: 2, beta: 1, gamma: 1 }).select(2))).toEqual(['10', '10,11']);
    expect(build(inserts, { alpha: 2, beta: 1, gamma: 1 }).select(2).weights).toEqual([4, 4]);
    expect(paths(build(inserts, { alpha: 1, beta: 0, gamma: 1 }).select(64))).toEqual(['10', '10,11']);
  });

  test('γ weighs cache continuations', () => {
    const inserts: Insert[] = [
      [[1], 'cache', 1],
      [[2], 'common', 2],
    ];
    expect(paths(build(inserts, { alpha: 1, beta: 1, gamma: 3 }).select(1))).toEqual(['1']);
    expect(paths(build(inserts, { alpha: 1, beta: 1, gamma: 1 }).select(1))).toEqual(['2']);
  });

  test('smoothing λ shrinks shares below the root, the more the fewer occurrences they rest on', () => {
    // common: [1 2 3] once → 1: 1, 1,2: 1 · 1/(1 + 1), 1,2,3: 1/2 · 1/(1 + 1); [4 5] 9 times → 4,5: 9 · 9/(9 + 1)
    const inserts: Insert[] = [
      [[1, 2, 3], 'common', 1],
      [[4, 5], 'common', 9],
    ];
    const tree = build(inserts, W1, { common: 1 }).select(64);
    expect(paths(tree)).toEqual(['4', '4,5', '1', '1,2', '1,2,3']);
    expect(tree.weights).toEqual([9, 8.1, 1, 0.5, 0.25]);
    expect(build(inserts).select(64).weights).toEqual([9, 9, 1, 1, 1]); // no smoothing: the counts
    expect(build(inserts, W1, { repo: 5 }).select(64).weights).toEqual([9, 9, 1, 1, 1]); // another source's λ
  });

  test('smoothing changes the choice: a once-seen lookup chain no longer takes the whole budget', () => {
    // lookup chain [1 2 3] weighs 1 at every depth; common (normalised) 4: 3/4, 5: 1/4
    const inserts: Insert[] = [
      [[1, 2, 3], 'lookup', 1],
      [[4], 'common', 0.75],
      [[5], 'common', 0.25],
    ];
    expect(paths(build(inserts).select(3))).toEqual(['1', '1,2', '1,2,3']);
    expect(paths(build(inserts, W1, { lookup: 1 }).select(3))).toEqual(['1', '4', '1,2']); // 1, 0.75, 0.5 (then 0.25, 0.25)
  });

  test('empty trie and zero budget give an empty tree', () => {
    expect(build([]).select(64).tokens).toEqual([]);
    expect(build([[[1, 2], 'repo', 1]]).select(0).tokens).toEqual([]);
  });

  test.each([
    [() => new WeightedTrie({ alpha: -1, beta: 1, gamma: 1 }), /alpha must be/],
    [() => build([[[1], 'repo', 0]]), /count must be > 0/],
    [() => build([[[1], 'nowhere' as TrieSource, 1]]), /unknown source 'nowhere'/],
    [() => build([]).select(-1), /budget must be/],
    [() => build([], W1, { common: -1 }), /smoothing of common must be/],
    [() => build([], W1, { web: 1 } as Smoothing), /unknown source 'web'/],
  ])('bad input is rejected with a clear message (%#)', (fn, message) => {
    expect(fn).toThrow(message);
  });
});

/** The tie-break order on path strings, for the reference selection: shorter first, then lexicographic by token ids. */
function weightOrder(a: string, b: string): number {
  const x = a.split(',').map(Number);
  const y = b.split(',').map(Number);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** Naive reference: every prefix of every insert with its weight, sorted, cut at the budget. */
function referenceSelection(inserts: Insert[], weights: typeof W1, budget: number): { path: string; weight: number }[] {
  const weightOf = new Map<string, number>();
  const factor = { repo: weights.alpha, common: weights.beta, cache: weights.gamma, lookup: 1 };
  for (const [tokens, source, count] of inserts) {
    for (let len = 1; len <= tokens.length; len++) {
      const key = tokens.slice(0, len).join(',');
      weightOf.set(key, (weightOf.get(key) ?? 0) + factor[source] * count);
    }
  }
  return [...weightOf]
    .map(([path, weight]) => ({ path, weight }))
    .filter((n) => n.weight > 0)
    .sort((a, b) => b.weight - a.weight || weightOrder(a.path, b.path))
    .slice(0, budget);
}

/** Brute force: the largest total weight over all connected subtrees of the root with exactly `size` nodes. */
function bestConnectedTotal(nodes: Map<string, number>, size: number): number {
  const parentOf = (p: string): string => (p.includes(',') ? p.slice(0, p.lastIndexOf(',')) : '');
  const keys = [...nodes.keys()];
  let best = -Infinity;
  const grow = (chosen: Set<string>, total: number, startAt: number): void => {
    if (chosen.size === size) {
      best = Math.max(best, total);
      return;
    }
    for (let i = startAt; i < keys.length; i++) {
      const k = keys[i];
      const parent = parentOf(k);
      if (chosen.has(k) || (parent !== '' && !chosen.has(parent))) continue;
      chosen.add(k);
      grow(chosen, total + nodes.get(k)!, 0);
      chosen.delete(k);
    }
  };
  grow(new Set(), 0, 0);
  return best;
}

function randomInserts(rand: () => number): Insert[] {
  const sources: TrieSource[] = ['repo', 'common', 'cache'];
  const inserts: Insert[] = [];
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(rand() * 3);
    const tokens = Array.from({ length: len }, () => Math.floor(rand() * 3));
    inserts.push([tokens, sources[Math.floor(rand() * 3)], 1 + Math.floor(rand() * 3)]);
  }
  return inserts;
}

describe('WeightedTrie against brute force', () => {
  test('300 random tries: same nodes as the naive ranking, and a maximum-weight connected subtree', () => {
    const rand = seededRandom(42);
    for (let trial = 0; trial < 300; trial++) {
      const inserts = randomInserts(rand);
      const weights = { alpha: [0, 1, 2][Math.floor(rand() * 3)], beta: [1, 0.5][Math.floor(rand() * 2)], gamma: [1, 3][Math.floor(rand() * 2)] };
      const budget = Math.floor(rand() * 7);
      const tree = build(inserts, weights).select(budget);
      const reference = referenceSelection(inserts, weights, budget);
      expect(paths(tree)).toEqual(reference.map((r) => r.path));
      expect(tree.weights).toEqual(reference.map((r) => r.weight));
      tree.parents.forEach((p, i) => expect(p).toBeLessThan(i));
      const all = new Map(referenceSelection(inserts, weights, Infinity).map((r) => [r.path, r.weight]));
      if (tree.tokens.length > 0) {
        const total = tree.weights.reduce((a, b) => a + b, 0);
        expect(total).toBeCloseTo(bestConnectedTotal(all, tree.tokens.length), 9);
      }
    }
  });
});
