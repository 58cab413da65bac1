/**
 * model/wasm-slice.ts: Slice, SplitV and Unpack on wasm that copy only the slice. Each case is checked against a naive
 * reference (index by index) and against the stock wasm kernel the module replaced. And writes to a tensor in place
 * (`wasmTensorWriter`), read back by the ops that follow.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';
import { copyBlock, registerWasmSlices, wasmTensorWriter } from '../../model/wasm-slice';

let stock: ReadonlyMap<string, tf.KernelFunc>;
beforeAll(async () => {
  await selectBackend('wasm');
  stock = registerWasmSlices();
});

/** Naive slice: every index of the block, its flat offset in x. */
function naiveSlice(x: number[], shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const at = size.map(() => 0);
  const total = size.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    let flat = 0;
    for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + begin[d] + at[d];
    out.push(x[flat]);
    for (let d = size.length - 1; d >= 0 && ++at[d] === size[d]; d--) at[d] = 0;
  }
  return out;
}

/** Run a kernel of the stock wasm backend directly on `x` (what these kernels replaced). */
function runStock(name: string, x: tf.Tensor, attrs: Record<string, unknown>): number[][] {
  const backend = tf.backend();
  const inputs = name === tf.Unpack ? { value: x } : { x };
  const out = stock.get(name)!({ inputs, attrs: attrs as tf.NamedAttrMap, backend });
  const infos = Array.isArray(out) ? out : [out];
  const values = infos.map((t) => Array.from(backend.readSync(t.dataId) as Float32Array));
  infos.forEach((t) => backend.disposeData(t.dataId));
  return values;
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i + 0.5);

test('copyBlock: the hand example of its doc comment', () => {
  const out = new Float32Array(4);
  copyBlock(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], [0, 1], [2, 2], out);
  expect(Array.from(out)).toEqual([1, 2, 4, 5]);
});

const SLICES: [string, number[], number[], number[]][] = [
  ['1-D, a middle run', [7], [2], [4]],
  ['2-D, whole rows (contiguous)', [4, 5], [1, 0], [2, 5]],
  ['2-D, one column', [4, 5], [0, 3], [4, 1]],
  ['2-D, an inner block', [4, 5], [1, 1], [2, 3]],
  ['3-D, the q|k split of a [n, H + kvH, D] tensor', [3, 6, 4], [0, 4, 0], [3, 2, 4]],
  ['3-D, an inner block', [3, 4, 5], [1, 1, 2], [2, 2, 3]],
  ['4-D, an inner block', [2, 3, 4, 5], [1, 0, 1, 1], [1, 3, 2, 4]],
  ['2-D, size -1 (to the end)', [4, 5], [2, 1], [-1, -1]],
  ['2-D, empty', [4, 5], [1, 1], [0, 3]],
];

test.each(SLICES)('tf.slice, %s: equals the naive slice and the stock kernel', (_, shape, begin, size) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(iota(n), shape);
  const full = size.map((s, d) => (s === -1 ? shape[d] - begin[d] : s));
  const got = tf.slice(x, begin, size);
  expect(got.shape).toEqual(full);
  const want = naiveSlice(iota(n), shape, begin, full);
  expect(Array.from(got.dataSync())).toEqual(want);
  expect(runStock(tf.Slice, x, { begin, size })).toEqual([want]);
  tf.dispose([x, got]);
});

test.each([
  ['[n, (H + 2·kvH)·D] into q|k and v', [2, 12], [8, 4], 1],
  ['rows, in three', [6, 3], [1, 2, 3], 0],
  ['the middle axis, even', [2, 4, 3], 2, 1],
  ['the last axis, a -1 size', [3, 2, 5], [1, -1], 2],
] as [string, number[], number[] | number, number][])('tf.split, %s: equals slices and the stock kernel', (_, shape, splits, axis) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(iota(n), shape);
  const pieces = tf.split(x, splits, axis);
  const sizes = tf.backend_util.prepareSplitSize(x, splits, axis);
  let from = 0;
  const want = sizes.map((s) => {
    const begin = shape.map((_, d) => (d === axis ? from : 0));
    from += s;
    return naiveSlice(iota(n), shape, begin, shape.map((w, d) => (d === axis ? s : w)));
  });
  expect(pieces.map((p) => Array.from(p.dataSync()))).toEqual(want);
  expect(runStock(tf.SplitV, x, { numOrSizeSplits: splits, axis })).toEqual(want);
  tf.dispose([x, ...pieces]);
});

test.each([0, 1, 2, -1])('tf.unstack along axis %i: equals slices and the stock kernel', (axis) => {
  const shape = [2, 3, 4];
  const x = tf.tensor(iota(24), shape);
  const ax = axis < 0 ? axis + 3 : axis;
  const parts = tf.unstack(x, axis);
  const want = Array.from({ length: shape[ax] }, (_, i) => naiveSlice(iota(24), shape, shape.map((_, d) => (d === ax ? i : 0)), shape.map((w, d) => (d === ax ? 1 : w))));
  expect(parts.map((p) => p.shape)).toEqual(parts.map(() => shape.filter((_, d) => d !== ax)));
  expect(parts.map((p) => Array.from(p.dataSync()))).toEqual(want);
  expect(runStock(tf.Unpack, x, { axis })).toEqual(want);
  tf.dispose([x, ...parts]);
});

test('int32 slices too; registering again changes nothing; no tensor or heap memory is leaked', () => {
  expect(registerWasmSlices()).toBe(stock);
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
  const before = tf.memory();
  const got = tf.tidy(() => tf.add(tf.slice(x, [0, 1], [2, 2]), 0));
  expect(Array.from(got.dataSync())).toEqual([2, 3, 5, 6]);
  got.dispose();
  tf.tidy(() => {
    tf.split(tf.unstack(x)[1], 3);
  });
  expect(tf.memory().numTensors).toBe(before.numTensors);
  expect(tf.memory().numBytes).toBe(before.numBytes);
  x.dispose();
});

test('a string tensor goes to the stock kernel', () => {
  const x = tf.tensor1d(['a', 'b', 'c', 'd']);
  expect(tf.slice(x, [1], [2]).arraySync()).toEqual(['b', 'c']);
  x.dispose();
});

test('slicing reads nothing back to JS (the stock kernels copied the whole input once per piece)', () => {
  const x = tf.tensor2d(iota(4 * 1376), [4, 1376]); // a [n, gate|up] projection
  const backend = tf.backend();
  const readSync = jest.spyOn(backend, 'readSync');
  const pieces = [tf.slice(x, [0, 5], [4, 10]), ...tf.split(x, 2, 1), ...tf.unstack(x)];
  expect(readSync).not.toHaveBeenCalled();
  runStock(tf.SplitV, x, { numOrSizeSplits: 2, axis: 1 });
  expect(readSync).toHaveBeenCalledTimes(4); // the stock SplitV: one whole copy per piece (2), then runStock reads the 2 pieces
  readSync.mockRestore();
  tf.dispose([x, ...pieces]);
});

test('a tensor written in place reads back the new values, in a matMul that multiplied it before too', () => {
  const w = wasmTensorWriter()!;
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const b = tf.zeros([2, 3]) as tf.Tensor2D;
  expect(tf.matMul(a, b).arraySync()).toEqual([[0, 0, 0], [0, 0, 0]]); // the matMul caches b, packed, under its id
  w.view(b).set([1, 0, 2, 0, 1, -1]); // b = [[1, 0, 2], [0, 1, -1]]
  w.changed(b);
  expect(b.arraySync()).toEqual([[1, 0, 2], [0, 1, -1]]);
  expect(tf.matMul(a, b).arraySync()).toEqual([[1, 2, 0], [3, 4, 2]]); // a · b by hand
  tf.dispose([a, b]);
});

test('another tfjs-wasm (no id counter or module calls as in 4.22): no writer, so the KV cache makes new tensors', () => {
  const backend = tf.findBackend('wasm') as unknown as { dataIdNextNumber?: number };
  const saved = backend.dataIdNextNumber;
  delete backend.dataIdNextNumber;
  try {
    expect(wasmTensorWriter()).toBeUndefined();
  } finally {
    backend.dataIdNextNumber = saved;
  }
  expect(wasmTensorWriter()).toBeDefined();
});
