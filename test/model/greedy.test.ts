/**
 * Greedy acceptance: on HF's tree logits (acceptGreedy, argmaxRow), and with the argmax computed by the model
 * (`acceptOnModel`, `CausalLM.argmax`): on the real model (wasm), the root + HF tree of each fixture in one forward,
 * asked row by row ('path'), all rows at once ('all') or the first b rows at once and then the path (every b), gives HF's
 * greedy_verification, and reads exactly those rows: the batch in one read, then each accepted path row beyond it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { acceptGreedy, acceptOnModel, argmaxRow, rowsReadAlone } from '../../model/greedy';
import { compareArrays, formatCheck, loadHfFixture } from '../../model/hf-fixture';
import { loadModel } from '../../model/load';
import { verifyInputs } from '../../trie/draft-tree';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');

function readBin(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe('acceptGreedy', () => {
  test.each(['llama-tiny', 'deepseek-tiny', 'gqa-tiny'])('%s: HF tree logits give the fixture greedy_verification', async (name) => {
    const dir = path.join(FIXTURES, name);
    const cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
    const vocab = cases.prompt_logits.shape[1];
    const prompt = readBin(path.join(dir, cases.prompt_logits.file));
    const tree = readBin(path.join(dir, cases.tree.logits.file));
    // rows: [last prompt position, node 0, node 1, ...]
    const logits = new Float32Array(vocab * (1 + cases.tree.tokens.length));
    logits.set(prompt.subarray(prompt.length - vocab));
    logits.set(tree, vocab);
    const asked: number[] = [];
    const acc = await acceptGreedy(cases.tree.tokens, cases.tree.parents, (row) => {
      asked.push(row);
      return argmaxRow(logits, row, vocab);
    });
    const v = cases.tree.greedy_verification;
    expect(acc.nodes).toEqual(v.accepted_nodes);
    expect(acc.tokens).toEqual([...v.accepted_tokens, v.bonus_token]);
    expect(acc.rows).toEqual([0, ...v.accepted_nodes.map((n: number) => n + 1)]);
    expect(asked).toEqual(acc.rows); // only the accepted path's rows are read, in path order
  });

  test('no matching child: only the bonus token', async () => {
    const logits = Float32Array.of(0, 0, 9, 0, /* node 0 */ 5, 0, 0, 0);
    expect(await acceptGreedy([1], [-1], (row) => argmaxRow(logits, row, 4))).toEqual({ nodes: [], tokens: [2], rows: [0] });
  });

  test('argmax ties go to the lowest index', () => {
    expect(argmaxRow(Float32Array.of(0, 3, 1, 5, 5, 2), 1, 3)).toBe(0);
  });
});

test.each(['llama-tiny', 'deepseek-tiny', 'gqa-tiny'])('%s: argmax on the model, row by row, all at once or the first b rows at once, gives HF greedy verification', async (name) => {
  const fx = loadHfFixture(path.join(FIXTURES, name));
  const { prompt, tree } = fx.cases;
  const lm = await loadModel(fx.modelDir, { backend: 'wasm' });
  try {
    const head = prompt.slice(0, -1);
    await lm.forwardHidden(head, head.map((_, i) => i));
    lm.commit(head.map((_, i) => i));
    // the HF tree's position ids are the prompt length + depth: the root (last prompt token) sits before them
    const depths = tree.position_ids.map((p) => p - prompt.length);
    const inputs = verifyInputs(prompt[prompt.length - 1], head.length, { tokens: tree.tokens, parents: tree.parents, depths, weights: [], counts: { repo: [], common: [], cache: [], lookup: [] } });
    await lm.forwardHidden(inputs.tokens, inputs.positions, inputs.mask);
    const want = tree.greedy_verification;
    const rows = tree.tokens.length + 1;
    // the model's default (one row at a time, or all at once), then every batch: the first b rows at once, then the path
    const cases = [{ verifyRows: 'path' as const, batch: undefined, first: 1 }, { verifyRows: 'all' as const, batch: undefined, first: rows }, ...Array.from({ length: rows + 1 }, (_, b) => ({ verifyRows: 'all' as const, batch: b + 1, first: Math.min(b + 1, rows) }))];
    for (const { verifyRows, batch, first } of cases) {
      const asked: number[][] = [];
      const acc = await acceptOnModel({ verifyRows, argmax: (rows) => (asked.push(Array.from(rows)), lm.argmax(rows)) }, tree.tokens, tree.parents, batch);
      expect([verifyRows, batch, acc.nodes, acc.tokens.at(-1)]).toEqual([verifyRows, batch, want.accepted_nodes, want.bonus_token]);
      expect(asked).toEqual([Array.from({ length: first }, (_, i) => i), ...acc.rows.filter((r) => r >= first).map((r) => [r])]);
    }
    await expect(lm.argmax([tree.tokens.length + 1])).rejects.toThrow(`argmax: row ${tree.tokens.length + 1} out of range for the last forward's ${tree.tokens.length + 1} tokens`);
  } finally {
    lm.dispose();
  }
});

test('logits of some rows equal those rows of every row’s logits: single, consecutive (sliced) and scattered (gathered)', async () => {
  const fx = loadHfFixture(path.join(FIXTURES, 'gqa-tiny'));
  const lm = await loadModel(fx.modelDir, { backend: 'wasm' });
  try {
    const tokens = fx.cases.prompt;
    await lm.forwardHidden(tokens, tokens.map((_, i) => i));
    const V = lm.vocabSize;
    const all = await lm.logits(tokens.map((_, i) => i));
    const rowsOf = (rows: number[]) => Float32Array.from(rows.flatMap((r) => Array.from(all.subarray(r * V, (r + 1) * V))));
    for (const rows of [[3], [2, 3, 4], [4, 1], [0, 2]]) {
      const got = await lm.logits(rows);
      const r = compareArrays(`rows ${rows}`, got, rowsOf(rows), 1e-5);
      if (!r.pass) throw new Error(formatCheck(r));
    }
  } finally {
    lm.dispose();
  }
});

test.each([
  [[0, 2, 5], 4, 1], // rows 0-3 read at once hold nodes 0-2: node 5's row is read alone
  [[0, 2, 5], 1, 3], // the path row by row: every accepted node
  [[0, 2, 5], 7, 0],
  [[], 4, 0],
])('rowsReadAlone(%j, batch %d) = %d', (nodes, batch, expected) => {
  expect(rowsReadAlone(nodes, batch)).toBe(expected);
});
