/**
 * `fastcoder verify-hf` on fixture directories: the bundled one, corrupted copies (must FAIL), a sharded re-save of
 * the weights, and the shared layout where cases.json's model_dir points three levels up.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../src/cli/verify-hf';
import { openSafetensors } from '../../model/safetensors';

const FIX = path.join(__dirname, '..', 'fixtures', 'hf-llama');
let tmp: string;
let out: string[];
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vhf-'));
  out = [];
  jest.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  jest.spyOn(console, 'error').mockImplementation((s: string) => void out.push(s));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true });
});

const copyDir = (from: string, to: string) => fs.cpSync(from, to, { recursive: true });
const lines = () => out.join('\n');

test('bundled fixture: every check passes, one line each, exit 0', async () => {
  expect(await run([path.join(FIX, 'deepseek-tiny'), '--backend', 'wasm'])).toBe(0);
  expect(lines()).toMatch(/^backend: wasm \(@tensorflow\/tfjs-backend-wasm, \d+ thread\(s\)\)$/m);
  for (const check of ['prompt_logits', 'hidden_states', 'tree_logits', 'tree_logits_rows', 'kv_chunk1_logits', 'kv_chunk2_logits', 'greedy_step_logits']) {
    expect(lines()).toMatch(new RegExp(`^PASS ${check} +max\\|diff\\| \\d\\.\\d\\de-\\d`, 'm'));
  }
  expect(lines()).toMatch(/^all 10 checks passed/m);
});

test('a perturbed expected value (1e-3 on one tree logit) fails with llm.c-style detail, exit 1', async () => {
  const dir = path.join(tmp, 'llama-tiny');
  copyDir(path.join(FIX, 'llama-tiny'), dir);
  const file = path.join(dir, 'tree_logits.bin');
  const data = new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer);
  data[700] += 1e-3;
  fs.writeFileSync(file, Buffer.from(data.buffer));
  expect(await run([dir, '--backend', 'wasm'])).toBe(1);
  expect(lines()).toMatch(/^FAIL tree_logits +max\|diff\| 1\.0\de-3/m);
  expect(lines()).toMatch(/tree_logits\[700\] got .* want .* MISMATCH/);
  expect(lines()).toMatch(/^PASS prompt_logits/m);
  expect(lines()).toMatch(/^1 of 10 checks FAILED/m);
});

test('a perturbed hidden state (1e-3 on layer 0\'s output) fails naming the layer; without debug.hidden_states the check is not run', async () => {
  const dir = path.join(tmp, 'gqa-tiny');
  copyDir(path.join(FIX, 'gqa-tiny'), dir);
  const file = path.join(dir, 'prompt_hidden_states.bin');
  const data = new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer); // [3, 24, 64]
  data[24 * 64 + 100] += 1e-3; // hidden_states[1] (the output of layer 0), token 1, dim 36
  fs.writeFileSync(file, Buffer.from(data.buffer));
  expect(await run([dir, '--backend', 'wasm'])).toBe(1);
  expect(lines()).toMatch(/^FAIL hidden_states +max\|diff\| 1\.0\de-3/m);
  expect(lines()).toMatch(/hidden_states\[1\]\[100\] got .* want .* MISMATCH/);
  expect(lines()).toMatch(/^1 of 10 checks FAILED/m);

  const cases = path.join(dir, 'cases.json');
  const json = JSON.parse(fs.readFileSync(cases, 'utf8'));
  delete json.debug.hidden_states;
  fs.writeFileSync(cases, JSON.stringify(json));
  out = [];
  expect(await run([dir, '--backend', 'wasm'])).toBe(0);
  expect(lines()).not.toMatch(/hidden_states/);
  expect(lines()).toMatch(/^all 9 checks passed/m);
});

test('sharded weights (model.safetensors.index.json + 2 shards) verify the same', async () => {
  const dir = path.join(tmp, 'gqa-sharded');
  copyDir(path.join(FIX, 'gqa-tiny'), dir);
  const st = openSafetensors(path.join(dir, 'model.safetensors'));
  const names = [...st.tensors.keys()];
  const raw = fs.readFileSync(st.file);
  const weightMap: Record<string, string> = {};
  [names.slice(0, 7), names.slice(7)].forEach((part, s) => {
    const shard = `model-0000${s + 1}-of-00002.safetensors`;
    const header: Record<string, unknown> = {};
    let offset = 0;
    for (const n of part) {
      const t = st.tensors.get(n)!;
      header[n] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, (offset += t.end - t.begin)] };
      weightMap[n] = shard;
    }
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    fs.writeFileSync(path.join(dir, shard), Buffer.concat([len, json, ...part.map((n) => raw.subarray(st.tensors.get(n)!.begin, st.tensors.get(n)!.end))]));
  });
  st.close();
  fs.rmSync(path.join(dir, 'model.safetensors'));
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  expect(await run([dir, '--backend', 'wasm'])).toBe(0);
  expect(lines()).toMatch(/^all 10 checks passed/m);
});

test("the shared layout: model_dir '../../../models/tinystories-656k' relative to cases.json, hashes and tokenization checked", async () => {
  const fixture = path.join(tmp, 'shared', 'fixtures', 'hf-llama', 'tinystories-656k');
  copyDir(path.join(FIX, 'tinystories-656k'), fixture);
  fs.mkdirSync(path.join(tmp, 'shared', 'models'));
  fs.renameSync(path.join(fixture, 'model'), path.join(tmp, 'shared', 'models', 'tinystories-656k'));
  const cases = path.join(fixture, 'cases.json');
  fs.writeFileSync(cases, fs.readFileSync(cases, 'utf8').replace('"model_dir": "model"', '"model_dir": "../../../models/tinystories-656k"'));
  expect(await run([fixture, '--backend', 'wasm'])).toBe(0);
  expect(lines()).toContain(`model: ${path.join(tmp, 'shared', 'models', 'tinystories-656k')}`);
  expect(lines()).toMatch(/^PASS sha256 model\.safetensors/m);
  expect(lines()).toMatch(/^PASS prompt_tokenization/m);
  expect(lines()).toMatch(/^all 14 checks passed/m);
});

test('usage errors and a directory that is not a fixture', async () => {
  expect(await run([])).toBe(2);
  expect(lines()).toContain('expected exactly one fixture directory');
  expect(await run(['--help'])).toBe(0);
  await expect(run([tmp])).rejects.toThrow(`${path.join(tmp, 'cases.json')}: file not found`);
});

test.each<[string, (c: Record<string, any>) => unknown, string]>([
  ['not an object', () => null, 'expected a JSON object'],
  ['a descriptor missing', (c) => delete c.greedy.step_logits, 'greedy.step_logits must be an array descriptor {file, dtype, shape}'],
  ['a descriptor without shape', (c) => delete c.tree.logits.shape, 'tree.logits must be an array descriptor {file, dtype, shape}'],
  ['token ids not a list', (c) => (c.tree.tokens = 'x'), 'tree.tokens must be a list of non-negative integers'],
  ['a mask row missing', (c) => c.tree.mask.pop(), 'tree.mask must be 11 rows of 11 zeros and ones'],
  ['the split not an integer', (c) => (c.kv_step.split = 1.5), 'kv_step.split must be a non-negative integer'],
])('a malformed cases.json (%s) is refused naming the file and the field', async (_name, edit, message) => {
  const dir = path.join(tmp, 'llama-tiny');
  copyDir(path.join(FIX, 'llama-tiny'), dir);
  const cases = path.join(dir, 'cases.json');
  const json = JSON.parse(fs.readFileSync(cases, 'utf8'));
  const replaced = edit(json);
  fs.writeFileSync(cases, JSON.stringify(replaced === null ? null : json));
  await expect(run([dir, '--backend', 'wasm'])).rejects.toThrow(`${cases}: ${message}`);
});
