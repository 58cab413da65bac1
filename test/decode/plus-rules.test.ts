/**
 * The drafting rules of `fastcoder-plus` (src/decode/options.ts PlusRules), each against a naive reference (most-recent
 * prompt lookup is tested with prompt lookup): per-source normalised Trie weights with the lookup chain as one more source, the rules in effect per
 * mode, and the bench's plus ablation rows.
 */
import { seededRandom } from '../../retrieval/timing';
import { parseModes } from '../../src/bench/modes';
import { retrievalDrafter } from '../../src/decode/drafter';
import { draftsFromRepo, PAPER_RULES, PLUS_ABLATIONS, PLUS_RULES, plusRules } from '../../src/decode/options';
import { ScriptedRetriever, sourceResult } from './helpers';

/** Naive normalised selection: every prefix's mass Σ_source Σ_cont count/total_source, top `budget` by (mass desc, depth asc, path asc). */
function naiveNormalisedTop(sources: [number[], number][][], budget: number): number[][] {
  const mass = new Map<string, number>();
  for (const conts of sources) {
    const total = conts.reduce((n, [, c]) => n + c, 0);
    for (const [tokens, c] of conts) for (let d = 1; d <= tokens.length; d++) {
      const key = tokens.slice(0, d).join(',');
      mass.set(key, (mass.get(key) ?? 0) + c / total);
    }
  }
  const paths = [...mass.keys()].map((k) => k.split(',').map(Number));
  const cmp = (a: number[], b: number[]) => {
    const w = mass.get(b.join(','))! - mass.get(a.join(','))!;
    if (Math.abs(w) > 1e-12) return w;
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  };
  return paths.sort(cmp).slice(0, budget);
}

/** The root-to-node token path of every node of a draft tree. */
function treePaths(tree: { tokens: number[]; parents: number[] }): number[][] {
  return tree.tokens.map((_, i) => {
    const path: number[] = [];
    for (let v = i; v >= 0; v = tree.parents[v]) path.unshift(tree.tokens[v]);
    return path;
  });
}

describe('normalised Trie weights (+norm) and the lookup chain (+lookup)', () => {
  test('random sources: the selected prefixes equal the naive normalised top-k (same masses, same order)', async () => {
    const rand = seededRandom(11);
    for (let trial = 0; trial < 60; trial++) {
      const sources = (['repo', 'common', 'cache'] as const).map(() =>
        Array.from({ length: 1 + Math.floor(rand() * 6) }, () => [Array.from({ length: 1 + Math.floor(rand() * 4) }, () => 1 + Math.floor(rand() * 3)), 1 + Math.floor(rand() * 50)] as [number[], number]),
      );
      const retriever = new ScriptedRetriever(() => [sourceResult('repo', sources[0]), sourceResult('common', sources[1]), sourceResult('cache', sources[2])]);
      const budget = 1 + Math.floor(rand() * 12);
      const drafter = retrievalDrafter(retriever, { alpha: 1, beta: 1, gamma: 1 }, false, undefined, { ...PAPER_RULES, normalise: true });
      const { tree } = await drafter.draft(Int32Array.from([9]), budget);
      const want = naiveNormalisedTop(sources, budget);
      expect(treePaths(tree).map((p) => p.join(','))).toEqual(want.map((p) => p.join(',')));
    }
  });

  test('a source with large counts weighs as much as one with a single continuation', async () => {
    const retriever = new ScriptedRetriever(() => [sourceResult('repo', [[[5, 6], 1]]), sourceResult('common', [[[7], 900], [[8], 100]])]);
    const plain = await retrievalDrafter(retriever, { alpha: 1, beta: 1, gamma: 1 }, false).draft(Int32Array.from([1]), 2);
    expect(plain.tree.tokens).toEqual([7, 8]); // raw counts: D_c drowns D_r
    const norm = await retrievalDrafter(retriever, { alpha: 1, beta: 1, gamma: 1 }, false, undefined, { ...PAPER_RULES, normalise: true }).draft(Int32Array.from([1]), 2);
    expect(norm.tree.tokens).toEqual([5, 6]); // 1 + 1 beats 0.9
    expect(norm.tree.weights).toEqual([1, 1]);
  });

  test('the lookup chain joins the Trie as one more source: the most recent occurrence, up to `lookup` tokens', async () => {
    const retriever = new ScriptedRetriever(() => [sourceResult('common', [[[3, 3], 2]])]);
    const ctx = Int32Array.from([1, 2, 7, 7, 1, 2, 8, 9, 4, 1, 2]);
    const { tree } = await retrievalDrafter(retriever, { alpha: 1, beta: 1, gamma: 1 }, false, undefined, { ...PAPER_RULES, lookup: 3 }).draft(ctx, 64);
    const paths = treePaths(tree).map((p) => p.join(','));
    expect(paths).toEqual(['3', '3,3', '8', '8,9', '8,9,4']);
    expect(tree.counts.lookup).toEqual([0, 0, 1, 1, 1]);
  });
});

describe('rules per mode and the plus ablation rows', () => {
  test('fastcoder runs the paper rules, fastcoder-plus the plus rules; `plus` overrides either', () => {
    expect(plusRules({ mode: 'fastcoder' })).toEqual(PAPER_RULES);
    expect(plusRules({ mode: 'fastcoder-plus' })).toEqual(PLUS_RULES);
    expect(plusRules({ mode: 'fastcoder', plus: { normalise: true } })).toEqual({ ...PAPER_RULES, normalise: true });
    expect(plusRules({ mode: 'fastcoder-plus', plus: { span: 10 } })).toEqual({ ...PLUS_RULES, span: 10 });
  });

  test('each +row switches exactly one rule on over the paper rules, each plus- row one off', () => {
    for (const row of PLUS_ABLATIONS) {
      const rules = plusRules(row.options);
      const base = row.options.mode === 'fastcoder' ? PAPER_RULES : PLUS_RULES;
      const changed = (Object.keys(base) as (keyof typeof base)[]).filter((k) => rules[k] !== base[k]);
      expect(changed).toHaveLength(1);
    }
  });

  test("the bench parses 'fastcoder-plus' and 'plus-ablations'", () => {
    expect(parseModes('fastcoder-plus,+norm').map((m) => [m.name, m.options.mode])).toEqual([['fastcoder-plus', 'fastcoder-plus'], ['+norm', 'fastcoder']]);
    expect(parseModes('plus-ablations').map((m) => m.name)).toEqual(PLUS_ABLATIONS.map((r) => r.name));
  });
});

describe('draftsFromRepo: which options draft from D_r (the CLI and the bench load a repository index for them)', () => {
  test.each([
    [{ mode: 'fastcoder' as const }, true],
    [{ mode: 'fastcoder-plus' as const }, true],
    [{ mode: 'fastcoder' as const, repo: false }, false],
    [{ mode: 'fastcoder-plus' as const, repo: false }, false],
    [{ mode: 'rest' as const }, false],
    [{ mode: 'pld' as const }, false],
    [{ mode: 'ar' as const }, false],
  ])('%j → %s', (options, expected) => {
    expect(draftsFromRepo(options)).toBe(expected);
  });
});
