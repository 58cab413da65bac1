import * as fs from 'fs';
import * as path from 'path';
import { acceptGreedy, argmaxRow } from '../../model/greedy';

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
