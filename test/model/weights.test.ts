/** Weight loading: HF names and shapes, tied embeddings under either name, and the list of problems on bad files. */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from '../../model/backend';
import { openCheckpoint } from '../../model/checkpoint';
import { LlamaConfig, parseConfig } from '../../model/config';
import { expectedTensors, loadWeights, transposeConcat, weightTensors } from '../../model/weights';
import { f32Bytes, writeSafetensors } from './safetensors-writer';

const config = (tied: boolean): LlamaConfig =>
  parseConfig({ model_type: 'llama', vocab_size: 6, hidden_size: 4, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 3, tie_word_embeddings: tied }, 'cfg');

/** A checkpoint whose tensor k-th value is `k + 1000·(index of the tensor)` so every element is distinguishable. */
function write(dir: string, shapes: Map<string, number[]>): Map<string, number[]> {
  const values = new Map<string, number[]>();
  const tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }> = {};
  [...shapes].forEach(([name, shape], t) => {
    const v = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => k + 1000 * t);
    values.set(name, v);
    tensors[name] = { dtype: 'F32', shape, data: f32Bytes(v) };
  });
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  return values;
}

let dir: string;
beforeAll(() => selectBackend('wasm'));
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w-'))));
afterEach(() => fs.rmSync(dir, { recursive: true }));

test('transposeConcat: [out, in] matrices become one [in, Σout] (hand example)', () => {
  // A = [[1, 2], [3, 4]] (out 2, in 2), B = [[5, 6]] (out 1): [Aᵀ | Bᵀ] = [[1, 3, 5], [2, 4, 6]]
  expect(Array.from(transposeConcat([[Float32Array.of(1, 2, 3, 4), 2], [Float32Array.of(5, 6), 1]], 2))).toEqual([1, 3, 5, 2, 4, 6]);
});

test('untied: q|k|v and gate|up are concatenated transposed; lm_head is transposed', async () => {
  const c = config(false);
  const values = write(dir, expectedTensors(c, () => true));
  const ckpt = openCheckpoint(dir);
  const w = loadWeights(ckpt, c);
  ckpt.close();
  const q = values.get('model.layers.0.self_attn.q_proj.weight')!; // [4, 4]
  const k = values.get('model.layers.0.self_attn.k_proj.weight')!; // [2, 4]
  const qkv = (await w.layers[0].qkvProj.array()) as number[][]; // [4, 4 + 2 + 2]
  expect(qkv[1][2]).toBe(q[2 * 4 + 1]); // W_q[2][1]
  expect(qkv[3][4 + 1]).toBe(k[1 * 4 + 3]); // W_k[1][3]
  const head = values.get('lm_head.weight')!; // [6, 4]
  expect(((await w.lmHead.array()) as number[][])[2][5]).toBe(head[5 * 4 + 2]);
  expect(Array.from(await w.embedTokens.data())).toEqual(values.get('model.embed_tokens.weight'));
  tf.dispose(weightTensors(w));
});

test.each(['model.embed_tokens.weight', 'lm_head.weight'])('tied, stored only as %s: both embedding and head use it', async (stored) => {
  const c = config(true);
  const shapes = expectedTensors(c, (n) => n === stored);
  expect(shapes.has(stored)).toBe(true);
  const values = write(dir, shapes);
  const ckpt = openCheckpoint(dir);
  const w = loadWeights(ckpt, c);
  ckpt.close();
  expect(Array.from(await w.embedTokens.data())).toEqual(values.get(stored));
  expect(Array.from(await tf.transpose(w.lmHead).data())).toEqual(values.get(stored));
  tf.dispose(weightTensors(w));
});

test('missing and mis-shaped tensors are all listed, with the file', () => {
  const c = config(false);
  const shapes = expectedTensors(c, () => true);
  shapes.delete('model.norm.weight');
  shapes.delete('lm_head.weight');
  shapes.set('model.layers.0.mlp.up_proj.weight', [3, 5]);
  write(dir, shapes);
  const ckpt = openCheckpoint(dir);
  const file = path.join(dir, 'model.safetensors');
  const err = (() => {
    try {
      loadWeights(ckpt, c);
    } catch (e) {
      return (e as Error).message;
    }
  })();
  ckpt.close();
  expect(err).toContain(`${file}: 3 weight problem(s)`);
  expect(err).toContain('missing model.norm.weight [4]');
  expect(err).toContain('missing lm_head.weight [6,4]');
  expect(err).toContain('model.layers.0.mlp.up_proj.weight has shape [3,5], expected [3,4]');
});

test('a config naming more (or fewer) layers than the checkpoint holds is refused at once, with both counts', () => {
  write(dir, expectedTensors(config(false), () => true)); // 1 layer
  const ckpt = openCheckpoint(dir);
  const file = path.join(dir, 'model.safetensors');
  for (const layers of [1e9, 1e5, 2]) {
    const c = { ...config(false), numLayers: layers };
    const t0 = performance.now();
    expect(() => loadWeights(ckpt, c)).toThrow(`${file}: config.json has num_hidden_layers ${layers}, but the checkpoint holds 1 layers (model.layers.0 to model.layers.0)`);
    expect(performance.now() - t0).toBeLessThan(1000); // before: minutes, then "Map maximum size exceeded"
  }
  ckpt.close();
});

test('many problems: the first 10 are listed, then the count of the rest', () => {
  write(dir, expectedTensors(config(false), () => true));
  const ckpt = openCheckpoint(dir);
  const wider = parseConfig({ model_type: 'llama', vocab_size: 6, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 3 }, 'cfg');
  let err = '';
  try {
    loadWeights(ckpt, wider);
  } catch (e) {
    err = (e as Error).message;
  }
  ckpt.close();
  // every one of the 12 tensors has a hidden dimension of 4, not 8
  expect(err.split('\n')).toHaveLength(1 + 10 + 1);
  expect(err).toMatch(/: 12 weight problem\(s\):\n/);
  expect(err.endsWith('\n  ... and 2 more')).toBe(true);
});
