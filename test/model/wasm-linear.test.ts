/**
 * model/wasm-linear.ts: the layers' projections on wasm by the panel kernels. Their products are tf.matMul's bit for
 * bit (every element compared, 1-9 rows, the projection shapes of the bundled models), the tensors they make are
 * tracked by tf.tidy like any op's, and a model's forward gives the same bits with them and without.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';
import { loadModel } from '../../model/load';
import { wasmLinear, worthKernels } from '../../model/wasm-linear';
import { seededValues } from './seeded-values';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');

/** Elements of `got` that are not bit for bit those of `want` (NaN, -0 included), and the largest difference. */
function differing(got: Float32Array, want: Float32Array): { count: number; maxDiff: number } {
  let count = 0;
  let maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    count++;
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  }
  return { count, maxDiff };
}

beforeAll(async () => {
  await selectBackend('wasm', { wasmThreads: 1 });
});

describe("the layers' projections by the wasm kernels", () => {
  test.each([
    [1, true], // as fast alone, and one copy of the weights for 1- and 2-row forwards
    [2, true],
    [3, true],
    [4, false], // a whole 4-row pass of XNNPACK
    [5, true],
    [7, true],
    [8, false], // two
    [9, true],
    [12, true], // from here on the kernels beat even whole passes
    [64, true],
    [65, true],
  ])('worthKernels(%i) → %s', (rows, want) => {
    expect(worthKernels(rows)).toBe(want);
  });

  test.each([
    [256, 512], // tiny-coder-dsc: q|k|v
    [688, 256], // tiny-coder-dsc: down
    [128, 768], // tinystories-656k: gate|up
    [576, 960], // SmolLM-135M: q|k|v
    [37, 48], // odd K
  ])('products equal tf.matMul bit for bit, 1-9 rows (K %i, N %i)', (K, N) => {
    const w = tf.tensor2d(seededValues(K * N, K + N), [K, N]);
    const linear = wasmLinear(w)!;
    expect(linear).toBeDefined();
    const diffs = Array.from({ length: 9 }, (_, i) => {
      const rows = i + 1;
      const x = tf.tensor2d(seededValues(rows * K, rows), [rows, K]);
      const want = tf.tidy(() => tf.matMul(x, w).dataSync() as Float32Array);
      tf.fill([rows, N], NaN).dispose(); // the heap block the output will likely reuse now holds NaN, not tf.matMul's products
      const y = linear.matMul(x);
      expect(y.shape).toEqual([rows, N]);
      const diff = differing(y.dataSync() as Float32Array, want);
      tf.dispose([x, y]);
      return diff;
    });
    console.log(`[K ${K}, N ${N}], 1-9 rows: ${diffs.map((d) => d.count).join(' / ')} elements differ, max diff ${Math.max(...diffs.map((d) => d.maxDiff))}`);
    expect(diffs.map((d) => d.count)).toEqual(diffs.map(() => 0));
    linear.dispose();
    w.dispose();
  });

  test('its products are tensors like any op\'s: tf.tidy frees them, and keeps what it returns', () => {
    const w = tf.tensor2d(seededValues(32 * 48, 3), [32, 48]);
    const x = tf.tensor2d(seededValues(3 * 32, 4), [3, 32]);
    const linear = wasmLinear(w)!;
    const before = tf.memory();
    const kept = tf.tidy(() => {
      linear.matMul(x); // dropped: freed when the tidy ends
      return tf.add(linear.matMul(x), 0);
    });
    expect(tf.memory().numTensors).toBe(before.numTensors + 1);
    expect(tf.memory().numBytes).toBe(before.numBytes + 3 * 48 * 4);
    expect(differing(kept.dataSync() as Float32Array, tf.matMul(x, w).dataSync() as Float32Array).count).toBe(0);
    tf.dispose([kept, x, w]);
    linear.dispose();
  });

  test('none where the kernels cannot write whole panels (N not a multiple of 16), or on another backend', async () => {
    const odd = tf.tensor2d(seededValues(8 * 20, 1), [8, 20]);
    expect(wasmLinear(odd)).toBeUndefined();
    odd.dispose();
    await selectBackend('cpu');
    const w = tf.tensor2d(seededValues(8 * 32, 1), [8, 32]);
    expect(wasmLinear(w)).toBeUndefined();
    w.dispose();
    await selectBackend('wasm', { wasmThreads: 1 });
  });

  test('none when the copy would take the heap past the limit (room kept for activations and the cache)', () => {
    const w = tf.tensor2d(seededValues(8 * 32, 1), [8, 32]);
    const heap = (tf.findBackend('wasm') as unknown as { wasm: { asm: { memory: { buffer: ArrayBuffer } } } }).wasm.asm.memory.buffer.byteLength;
    expect(wasmLinear(w, heap + 8 * 32 * 4 - 1)).toBeUndefined();
    const packed = wasmLinear(w, heap + 8 * 32 * 4);
    expect(packed).toBeDefined();
    packed!.dispose();
    w.dispose();
  });

  test('rows of the wrong width are refused with a message', () => {
    const w = tf.tensor2d(seededValues(8 * 32, 1), [8, 32]);
    const linear = wasmLinear(w)!;
    const x = tf.zeros([2, 7]) as tf.Tensor2D;
    expect(() => linear.matMul(x)).toThrow('linear kernels: rows of 7 values, expected 8');
    tf.dispose([x, w]);
    linear.dispose();
  });

  test('a model on wasm uses them; a tree forward of 1-9 rows gives the same hidden states and logits, bit for bit, as with tf.matMul alone', async () => {
    const lm = await loadModel(path.join(FIXTURES, 'tinystories-656k/model'), { backend: 'wasm' });
    expect(lm.linearKernel).toBe('panels');
    const prompt = [1, 450, 1217, 338, 263, 1217];
    await lm.forwardHidden(prompt, prompt.map((_, i) => i));
    lm.commit(prompt.map((_, i) => i));
    for (let rows = 1; rows <= 9; rows++) {
      // a chain under the last prompt token, its last node a sibling of the one before (mask row: itself and its ancestors)
      const tokens = Array.from({ length: rows }, (_, i) => 3 + 37 * i);
      const parent = (i: number) => (i === rows - 1 && i >= 2 ? i - 2 : i - 1);
      const depth = (i: number): number => (i < 0 ? -1 : 1 + depth(parent(i)));
      const mask = new Uint8Array(rows * rows);
      for (let i = 0; i < rows; i++) for (let j = i; j >= 0; j = parent(j)) mask[i * rows + j] = 1;
      const positions = tokens.map((_, i) => prompt.length + depth(i));
      const run = async (kernel: 'panels' | 'tfjs') => {
        lm.linearKernel = kernel;
        const states = await lm.hiddenStates(tokens, positions, mask);
        const logits = await lm.logits(tokens.map((_, i) => i));
        lm.rollback(prompt.length);
        return [...states, logits];
      };
      const [panels, plain] = [await run('panels'), await run('tfjs')];
      const diffs = panels.map((a, i) => differing(a, plain[i]));
      console.log(`${rows} rows: ${diffs.map((d) => d.count).join(' / ')} elements differ (embeddings, layer outputs, final norm, logits)`);
      expect(diffs.map((d) => d.count)).toEqual(panels.map(() => 0));
    }
    lm.dispose();
    const plain = await loadModel(path.join(FIXTURES, 'tinystories-656k/model'), { backend: 'wasm', linear: 'tfjs' });
    expect(plain.linearKernel).toBe('tfjs');
    plain.dispose();
  });
});
