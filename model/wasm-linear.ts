/**
 * The layers' projections (`x · W` for q|k|v, o, gate|up, down) on tfjs-wasm with the panel kernels of
 * `model/wasm-gemm.ts`, at the row counts where they beat tf.matMul.
 *
 * tf.matMul on wasm is XNNPACK's GEMM, which multiplies 4 rows per pass: 2 rows cost what 4 do, 5 what 8 do. The
 * panel kernels multiply 2 rows per pass, so an n-row product costs about ⌈n / 2⌉ passes instead of ⌈n / 4⌉ double
 * ones. Their sums are tf.matMul's bit for bit (each element summed over k in ascending order, a product then a sum;
 * test/model/wasm-linear.test.ts compares every element), so which of the two runs changes no value, only the time.
 * `worthKernels` says which: XNNPACK for 4 and 8 rows (one or two whole passes), the kernels for every other count.
 * Verify forwards on one core, kernels / tf.matMul alone (README, "The layers' projections on wasm"): tiny-coder-dsc
 * 2 / 5 / 6 / 9 / 16 / 64 rows 0.93-0.96 / 0.90-0.93 / 0.92-0.93 / 0.89-0.92 / 0.95-0.96 / 0.90-0.94× the time (3 rows
 * 0.99-1.03×); SmolLM-135M's shape 2 rows 0.79-0.96×, 5 and 6 rows 0.66-0.86×, 64 rows 0.83-0.93×; with the kernels
 * forced, 4 rows 1.02-1.18× and 8 rows 0.93-1.08×.
 * One row too, although a forward of one row alone costs about the same either way (a loop of the 1-row projections:
 * tiny-coder-dsc 0.86×, SmolLM-135M 0.96-1.11×): a decoder that mixes 1- and 2-row forwards, as `auto` does, then
 * streams one copy of the weights instead of alternating between XNNPACK's and the kernels', and on tiny-coder-dsc,
 * whose 12 MB of layers partly stay in the cache, every forward gets cheaper. In one process on the demo tasks, ar ran
 * 1.5-3.5 % faster and `fastcoder` auto 3-4 % faster (README, "Where a drafted step's time goes on a CPU"). On
 * SmolLM-135M's shape, in a mixed sequence, 1 / 2 / 3 / 4 rows took 0.90 / 1.00 / 0.97 / 1.05× the time: the 4-row
 * forwards now read XNNPACK's copy alone.
 *
 * Example:
 *   const q = wasmLinear(layer.qkvProj)!;          // [hidden, (H + 2·kvH)·D] on the wasm backend
 *   worthKernels(2) && q.matMul(x)                 // x: [2, hidden] → [2, (H + 2·kvH)·D], a tensor tf.tidy tracks
 *   q.dispose();
 */
import * as tf from '@tensorflow/tfjs-core';
import { gemmRows, heapRows, kernelsFor, packWeight, wasmModule } from './wasm-gemm';
import { PANEL } from './wasm-gemm-source';

/** A weight packed for the panel kernels. */
export interface PackedLinear {
  matMul(x: tf.Tensor2D): tf.Tensor2D; // x: [rows, K] on the wasm backend → x · W, [rows, N], a new tensor
  dispose(): void;
}

/**
 * Whether an `rows`-row product goes to the panel kernels rather than tf.matMul: not for 4 or 8 rows.
 * Example: [1, 2, 3, 4, 5, 8, 9, 12].map(worthKernels) → [true, true, true, false, true, false, true, true]
 */
export function worthKernels(rows: number): boolean {
  return rows !== 4 && rows !== 8;
}

/**
 * Bytes of wasm heap past which no projection is packed: the copies only save time, and a model whose weights and
 * copies filled the heap (wasm's 4 GiB) would have no room left for its activations and KV cache.
 */
export const PACKED_HEAP_LIMIT = 3 * 2 ** 30;

/**
 * `weight` ([K, N], float32, on the wasm backend) packed for the kernels, or undefined where they cannot run: another
 * backend, the multi-threaded build, N not a multiple of the panel's 16 columns (the kernels write whole panels,
 * straight into the output tensor), or a heap that the copy would take past `heapLimit` bytes.
 */
export function wasmLinear(weight: tf.Tensor2D, heapLimit = PACKED_HEAP_LIMIT): PackedLinear | undefined {
  const wasm = wasmModule();
  if (!wasm || weight.shape[1] % PANEL !== 0) return undefined;
  if (wasm.memory.buffer.byteLength + weight.size * 4 > heapLimit) return undefined;
  const w = packWeight(wasm, weight);
  if (!w) return undefined;
  const kernels = kernelsFor(wasm.memory);
  return {
    matMul(x) {
      const at = heapRows(wasm, x, w, 'linear kernels'); // [rows, K]; a byte offset stays valid when the heap grows
      const y = wasm.backend.makeOutput([x.shape[0], w.N], 'float32'); // [rows, N]
      gemmRows(kernels, at, x.shape[0], w, wasm.backend.dataIdMap.get(y.dataId).memoryOffset, w.N);
      return tf.engine().makeTensorFromTensorInfo(y) as tf.Tensor2D;
    },
    dispose: () => w.free(),
  };
}
