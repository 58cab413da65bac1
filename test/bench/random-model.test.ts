/**
 * Random-weight models for timing: weight byte counts against hand-computed sums, the presets' shapes, the
 * DeepSeek-Coder-1.3B shape refused on wasm before anything is allocated (its float32 weights exceed wasm's 4 GiB), and
 * the per-op twin (`perOpTwin`): its weights by hand, and its forwards making the tfjs kernel calls of the shape's own.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LlamaConfig } from '../../model/config';
import { forwardWeightBytes, heldWeightBytes, perOpTwin, randomModel, readModelShape } from '../../src/bench/random-model';

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

/** The tfjs kernels, in order, of a forward of `rows` new tokens (a chain) after 5 committed ones, and its argmax. */
const kernelNames = async (spec: string | LlamaConfig, rows: number): Promise<string[]> => {
  const lm = await randomModel(spec, { backend: 'wasm' });
  try {
    await lm.forwardHidden([1, 2, 3, 4, 5], [0, 1, 2, 3, 4]);
    lm.commit([0, 1, 2, 3, 4]);
    const chain = Array.from({ length: rows }, (_, i) => i);
    const profile = await tf.profile(async () => {
      await lm.forwardHidden(chain.map((i) => 7 + i), chain.map((i) => 5 + i));
      await lm.argmax([0]);
    });
    return profile.kernels.map((k) => k.name);
  } finally {
    lm.dispose();
  }
};

test('the per-op twin of SmolLM-135M: its layers and heads at width 64, weights read per token 15.3 MB against 538 MB (by hand)', () => {
  const c = readModelShape('smollm-135m');
  const twin = perOpTwin(c);
  expect([twin.numLayers, twin.numHeads, twin.numKvHeads, twin.headDim, twin.ropeTheta]).toEqual([30, 9, 3, 64, c.ropeTheta]);
  expect([twin.hiddenSize, twin.intermediateSize, twin.vocabSize]).toEqual([64, 128, 2048]);
  // per layer: q|k|v 64 × (576 + 2 · 192), o 576 × 64, gate|up and down 3 · 64 · 128, two norms of 64
  const layer = 64 * (576 + 384) + 576 * 64 + 3 * 64 * 128 + 2 * 64;
  expect(forwardWeightBytes(twin)).toBe(4 * (30 * layer + 2048 * 64 + 64));
  expect(forwardWeightBytes(twin)).toBe(15_285_504);
});

test.each([
  ['tinystories-656k', 1],
  ['tiny-coder-dsc', 1],
  ['tiny-coder-dsc', 3],
])('the per-op twin of %s makes the same kernel calls as the shape itself (%i rows)', async (preset, rows) => {
  const c = readModelShape(preset);
  const twin = perOpTwin(c);
  const [own, twins] = [await kernelNames(preset, rows), await kernelNames(twin, rows)];
  console.log(`${preset}, ${rows} row(s): ${own.length} kernel calls, the twin ${twins.length}`);
  expect(own.length).toBeGreaterThan(20 * c.numLayers);
  expect(twins).toEqual(own);
});
