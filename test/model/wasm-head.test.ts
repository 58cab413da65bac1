/**
 * model/wasm-head.ts: the lm_head kernels on wasm. Their products are tf.matMul's bit for bit (every element compared,
 * 1-9 rows, widths that do and do not fill the last panel), their argmaxes are tf.argMax's (ties to the first index),
 * the model's argmax is the same with them and without, and the binary is the assembled source.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';
import { loadModel } from '../../model/load';
import { GEMM_WASM_BASE64 } from '../../model/wasm-gemm-binary';
import { PANEL } from '../../model/wasm-gemm-source';
import { packPanels } from '../../model/wasm-gemm';
import { wasmHeadArgmax } from '../../model/wasm-head';
import { assembleGemm, binaryFile } from '../../scripts/build-wasm-gemm';
import { seededValues } from './seeded-values';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');

beforeAll(async () => {
  await selectBackend('wasm', { wasmThreads: 1 });
});

describe('lm_head kernels on wasm', () => {
  test('model/wasm-gemm-binary.ts is model/wasm-gemm-source.ts assembled (scripts/build-wasm-gemm.ts)', async () => {
    const bytes = await assembleGemm();
    expect(Buffer.from(GEMM_WASM_BASE64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    expect(fs.readFileSync(path.join(__dirname, '../../model/wasm-gemm-binary.ts'), 'utf8')).toBe(binaryFile(bytes));
  });

  test('packPanels: panels of 16 columns, k-rows contiguous, zeros past the last column', () => {
    const [K, N] = [2, 18]; // two panels, the second 2 columns wide
    const w = Float32Array.from({ length: K * N }, (_, i) => i + 1); // w[k][j] = k·18 + j + 1
    const packed = new Float32Array(2 * K * PANEL).fill(NaN);
    packPanels(w, K, N, packed);
    const expected = [
      ...Array.from({ length: 16 }, (_, j) => j + 1), // panel 0, k 0: columns 0-15
      ...Array.from({ length: 16 }, (_, j) => 18 + j + 1), // panel 0, k 1
      17, 18, ...new Array(14).fill(0), // panel 1, k 0: columns 16-17, then zeros
      35, 36, ...new Array(14).fill(0), // panel 1, k 1
    ];
    expect(Array.from(packed)).toEqual(expected);
  });

  test.each([
    [256, 5000], // N = 312 panels + 8 columns
    [64, 4096], // whole panels
    [37, 50], // odd K
    [1, 17],
  ])('products equal tf.matMul bit for bit and argmaxes tf.argMax, 1-9 rows (K %i, N %i)', (K, N) => {
    const w = tf.tensor2d(seededValues(K * N, K + N), [K, N]);
    const head = wasmHeadArgmax(w)!;
    expect(head).toBeDefined();
    for (let rows = 1; rows <= 9; rows++) {
      const a = tf.tensor2d(seededValues(rows * K, rows), [rows, K]);
      const want = tf.tidy(() => tf.matMul(a, w).dataSync() as Float32Array);
      const got = head.products(a);
      let differing = 0;
      for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) differing++;
      expect(differing).toBe(0);
      expect(Array.from(head.argmax(a))).toEqual(Array.from(tf.tidy(() => tf.argMax(tf.matMul(a, w), 1).dataSync())));
      a.dispose();
    }
    head.dispose();
    w.dispose();
  });

  test('ties go to the first index, as tf.argMax and argmaxRow', () => {
    // columns 3, 7 and 20 equal: the largest product, three times
    const [K, N] = [4, 24];
    const data = seededValues(K * N, 5).map((v) => v / 10);
    for (let k = 0; k < K; k++) for (const j of [3, 7, 20]) data[k * N + j] = 1;
    const w = tf.tensor2d(data, [K, N]);
    const head = wasmHeadArgmax(w)!;
    const a = tf.tensor2d([1, 1, 1, 1, 2, 2, 2, 2], [2, K]);
    expect(Array.from(head.argmax(a))).toEqual([3, 3]);
    expect(Array.from(tf.argMax(tf.matMul(a, w), 1).dataSync())).toEqual([3, 3]);
    tf.dispose([a, w]);
    head.dispose();
  });

  test('rows of the wrong width are refused with a message', () => {
    const w = tf.tensor2d(seededValues(8 * 20, 1), [8, 20]);
    const head = wasmHeadArgmax(w)!;
    const a = tf.zeros([1, 7]) as tf.Tensor2D;
    expect(() => head.argmax(a)).toThrow('lm_head kernels: rows of 7 values, expected 8');
    tf.dispose([a, w]);
    head.dispose();
  });

  test('a model on wasm uses them; its argmaxes after a tree forward equal those of tf.matMul + tf.argMax', async () => {
    const lm = await loadModel(path.join(FIXTURES, 'tinystories-656k/model'), { backend: 'wasm' });
    expect(lm.headKernel).toBe('panels');
    // a tree under token 1: nodes 300 and 42 children of the root, 7 a child of 300, 9 a child of 7
    await lm.forwardHidden([1, 300, 42, 7, 9], [0, 1, 1, 2, 3], Uint8Array.of(1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1));
    for (const rows of [[0], [0, 1], [0, 1, 2], [1, 3, 4], [0, 1, 2, 3, 4], [4, 0]]) {
      lm.headKernel = 'panels';
      const panels = Array.from(await lm.argmax(rows));
      lm.headKernel = 'tfjs';
      expect(panels).toEqual(Array.from(await lm.argmax(rows)));
    }
    lm.dispose();
    const plain = await loadModel(path.join(FIXTURES, 'tinystories-656k/model'), { backend: 'wasm', lmHead: 'tfjs' });
    expect(plain.headKernel).toBe('tfjs');
    plain.dispose();
  });

  test.each([
    ['the copy', [false]],
    ['the products', [true, false]],
  ])('none when the heap has no room for %s, and what was allocated is freed', (_, succeed: boolean[]) => {
    const module = (tf.findBackend('wasm') as unknown as { wasm: { _malloc: (n: number) => number; _free: (p: number) => void } }).wasm;
    const [malloc, free] = [module._malloc, module._free];
    const w = tf.tensor2d(seededValues(8 * 20, 1), [8, 20]); // before the mock: tensors are allocated by the same malloc
    const got: number[] = [];
    const freed: number[] = [];
    module._malloc = (n) => (succeed[got.length] ? got[got.push(malloc(n)) - 1] : (got.push(0), 0));
    module._free = (p) => (freed.push(p), free(p));
    try {
      expect(wasmHeadArgmax(w)).toBeUndefined();
      expect(freed).toEqual(got.filter((p) => p !== 0));
    } finally {
      [module._malloc, module._free] = [malloc, free];
      w.dispose();
    }
  });

  test('none on another backend', async () => {
    await selectBackend('cpu');
    const w = tf.tensor2d(seededValues(8 * 20, 1), [8, 20]);
    expect(wasmHeadArgmax(w)).toBeUndefined();
    w.dispose();
    await selectBackend('wasm', { wasmThreads: 1 });
  });
});
