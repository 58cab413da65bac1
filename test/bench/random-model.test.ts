/**
 * Random-weight models for timing: weight byte counts against hand-computed sums, the presets' shapes, and the
 * DeepSeek-Coder-1.3B shape refused on wasm before anything is allocated (its float32 weights exceed wasm's 4 GiB).
 */
import { forwardWeightBytes, heldWeightBytes, randomModel, readModelShape } from '../../src/bench/random-model';

test('weight bytes: tinystories-656k by hand', () => {
  // hidden 128, 2 layers, 8 heads / 4 kv heads of 16, intermediate 384, vocab 2048, tied embeddings
  const c = readModelShape('tinystories-656k');
  const layer = 128 * (128 + 2 * 64) + 128 * 128 + 3 * 128 * 384 + 2 * 128;
  expect(forwardWeightBytes(c)).toBe(4 * (2 * layer + 2048 * 128 + 128));
  expect(heldWeightBytes(c)).toBe(forwardWeightBytes(c) + 4 * 2048 * 128); // the embedding and the lm_head copy
});

test('deepseek-coder-1.3b: the real model shape (1.35 B parameters, linear RoPE ×4, 16384 positions)', () => {
  const c = readModelShape('deepseek-coder-1.3b');
  expect([c.hiddenSize, c.numLayers, c.numHeads, c.numKvHeads, c.intermediateSize, c.vocabSize]).toEqual([2048, 24, 16, 16, 5504, 32256]);
  expect([c.ropeScalingFactor, c.maxPositionEmbeddings, c.tieWordEmbeddings]).toEqual([4, 16384, false]);
  expect(heldWeightBytes(c) / 4 / 1e9).toBeCloseTo(1.346, 3);
});

test('deepseek-coder-1.3b on wasm is refused with the reason and the way out, before allocating', async () => {
  await expect(randomModel('deepseek-coder-1.3b', { backend: 'wasm' })).rejects.toThrow(
    "deepseek-coder-1.3b: its float32 weights take 5.4 GB, more than the wasm backend's 4 GiB memory; use --backend webgpu (a GPU, or SwiftShader) or install @tensorflow/tfjs-node",
  );
});
