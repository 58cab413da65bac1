/** config.json parsing: fixture configs, derived fields, rope_scaling variants and clear errors. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig, parseConfig } from '../../model/config';

const FIX = path.join(__dirname, '..', 'fixtures', 'hf-llama');
const F = 'x/config.json';
const base = {
  model_type: 'llama', vocab_size: 512, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4,
  intermediate_size: 176, rms_norm_eps: 1e-5, rope_theta: 10000, bos_token_id: 1, eos_token_id: 2,
};

test('the fixture configs (README table)', () => {
  const ds = loadConfig(path.join(FIX, 'deepseek-tiny'));
  expect([ds.ropeTheta, ds.ropeScalingFactor, ds.rmsNormEps, ds.bosTokenId, ds.eosTokenIds]).toEqual([100000, 4, 1e-6, 500, [501]]);
  const gqa = loadConfig(path.join(FIX, 'gqa-tiny'));
  expect([gqa.numHeads, gqa.numKvHeads, gqa.headDim, gqa.tieWordEmbeddings]).toEqual([8, 2, 8, true]);
  const ts = loadConfig(path.join(FIX, 'tinystories-656k', 'model')); // no head_dim in this config.json
  expect([ts.vocabSize, ts.hiddenSize, ts.headDim, ts.intermediateSize, ts.ropeScalingFactor]).toEqual([2048, 128, 16, 384, 1]);
});

test('defaults: kv heads = heads, head_dim = hidden / heads, untied, eos list kept', () => {
  const c = parseConfig({ ...base, eos_token_id: [2, 7] }, F);
  expect([c.numKvHeads, c.headDim, c.tieWordEmbeddings, c.eosTokenIds]).toEqual([4, 16, false, [2, 7]]);
  expect(parseConfig({ ...base, head_dim: 32 }, F).headDim).toBe(32);
  expect(parseConfig({ ...base, head_dim: null }, F).headDim).toBe(16); // HF: None means hidden_size // heads
});

test.each([
  [{ type: 'linear', factor: 2 }, 2],
  [{ rope_type: 'linear', factor: 8 }, 8],
  [{ rope_type: 'default' }, 1],
  [null, 1],
])('rope_scaling %j → factor %d', (rope_scaling, factor) => {
  expect(parseConfig({ ...base, rope_scaling }, F).ropeScalingFactor).toBe(factor);
});

test.each<[Record<string, unknown>, string]>([
  [{ model_type: 'gpt2' }, `${F}: unsupported model_type "gpt2"`],
  [{ rope_scaling: { rope_type: 'yarn', factor: 4 } }, `${F}: unsupported rope_scaling "yarn"`],
  [{ rope_scaling: { type: 'dynamic', factor: 4 } }, 'unsupported rope_scaling "dynamic"'],
  [{ rope_scaling: { type: 'linear' } }, 'rope_scaling.factor must be a positive number'],
  [{ rope_scaling: { type: 'linear', factor: Infinity } }, 'rope_scaling.factor must be a positive number, got Infinity'], // JSON 1e999
  [{ hidden_size: 2 ** 60 }, `hidden_size must be a positive integer, got ${2 ** 60}`],
  [{ head_dim: null, hidden_size: 66 }, 'hidden_size 66 is not a multiple of num_attention_heads 4'],
  [{ hidden_size: undefined }, `${F}: hidden_size must be a positive integer, got undefined`],
  [{ num_hidden_layers: 2.5 }, 'num_hidden_layers must be a positive integer'],
  [{ num_key_value_heads: 3 }, 'num_attention_heads 4 is not a multiple of num_key_value_heads 3'],
  [{ hidden_size: 66 }, 'hidden_size 66 is not a multiple of num_attention_heads 4'],
  [{ head_dim: 7 }, 'head_dim 7 must be even'],
  [{ attention_bias: true }, 'attention_bias=true is not supported'],
  [{ hidden_act: 'gelu' }, 'unsupported hidden_act "gelu"'],
  [{ rms_norm_eps: -1 }, 'rms_norm_eps must be a positive number'],
  [{ eos_token_id: 'x' }, 'eos_token_id must be token ids'],
])('error: %j', (patch, message) => {
  expect(() => parseConfig({ ...base, ...patch }, F)).toThrow(message);
});

test('file errors name the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  const file = path.join(dir, 'config.json');
  expect(() => loadConfig(dir)).toThrow(`${file}: file not found`);
  fs.writeFileSync(file, '{"model_type": ');
  expect(() => loadConfig(dir)).toThrow(`${file}: not valid JSON`);
  fs.writeFileSync(file, '[1]');
  expect(() => loadConfig(dir)).toThrow(`${file}: expected a JSON object`);
  fs.rmSync(dir, { recursive: true });
});
