/**
 * The argmaxes of lm_head rows on tfjs-wasm with the kernels of `model/wasm-gemm-source.ts`: the weight is copied once
 * into panels of 16 columns on the wasm heap, then each call multiplies the rows two at a time over it (an odd last one
 * alone) and takes each row's first-index argmax, without tfjs ops and without copying the logits to JS.
 *
 * The products are those of tf.matMul bit for bit (the same sum over k, in the same order), so the argmaxes equal
 * `tf.argMax(tf.matMul(rows, W), 1)`. What changes is the cost of several rows: tf.matMul (XNNPACK) runs 2 rows as 4.
 * `npm run bench:model -- --config <shape> --compare-head`, 1 / 2 / 3 / 4 / 8 rows, kernels against tf.matMul:
 * tiny-coder-dsc ([256 × 32256]) 0.97 / 0.89 / 1.58 / 1.76 / 3.56 ms against 1.02 / 1.94 / 2.03 / 2.04 / 4.09;
 * SmolLM-135M ([576 × 49152]) 4.14 / 3.88 / 6.76 / 6.77 / 14.55 against 3.40 / 6.41 / 6.38 / 6.55 / 13.07. Verifying a
 * draft then reads the root's row and the first node's together for about the price of the root's alone. The model
 * (`LlamaModel.argmax`) sends every read here, one row too: a read right after one of tf.matMul's own copy of the
 * lm_head took 0.35-0.4 ms more (tiny-coder-dsc's 33 MB partly stay in the cache between reads of one copy; README,
 * "The lm_head on wasm").
 *
 * Example:
 *   const head = wasmHeadArgmax(lmHead)!;      // lmHead: [hidden, vocab] on the wasm backend
 *   head.argmax(tf.tensor2d(rows, [2, hidden]))   // Int32Array [argmax of row 0 · W, argmax of row 1 · W]
 *   head.dispose();
 */
import type * as tf from '@tensorflow/tfjs-core';
import { gemmRows, heapRows, kernelsFor, packWeight, PASS_ROWS, wasmModule } from './wasm-gemm';

/** The argmax of each row of `hidden · W` for one weight W. */
export interface HeadArgmax {
  argmax(hidden: tf.Tensor2D): Int32Array; // hidden: [rows, K] on the wasm backend
  products(hidden: tf.Tensor2D): Float32Array; // hidden · W as the kernels compute it, [rows, N] row-major (for checks and notebooks)
  dispose(): void;
}

/**
 * `weight` ([K, N], float32, on the wasm backend) packed for the kernels, or undefined where they cannot run: another
 * backend, another tfjs-wasm inside, the multi-threaded build (whose XNNPACK splits the rows' work between threads), or
 * a heap with no room for the copy.
 */
export function wasmHeadArgmax(weight: tf.Tensor2D): HeadArgmax | undefined {
  const wasm = wasmModule();
  if (!wasm) return undefined;
  const w = packWeight(wasm, weight);
  if (!w) return undefined;
  const out = wasm.malloc(PASS_ROWS * w.stride * 4);
  if (out === 0) {
    // the heap cannot hold another copy of the weight (wasm's 4 GiB): tf.matMul reads it instead
    w.free();
    return undefined;
  }
  const kernels = kernelsFor(wasm.memory);
  /** Multiply the rows of `hidden` by W, PASS_ROWS per pass; after each pass `read(r, at)` reads row r's products at byte `at`. */
  const multiply = (hidden: tf.Tensor2D, read: (row: number, at: number) => void): void => {
    const at = heapRows(wasm, hidden, w, 'lm_head kernels');
    for (let first = 0; first < hidden.shape[0]; first += PASS_ROWS) {
      const n = Math.min(PASS_ROWS, hidden.shape[0] - first);
      gemmRows(kernels, at + first * w.K * 4, n, w, out, w.stride);
      for (let r = 0; r < n; r++) read(first + r, out + r * w.stride * 4);
    }
  };
  return {
    argmax(hidden) {
      const ids = new Int32Array(hidden.shape[0]);
      multiply(hidden, (row, at) => (ids[row] = kernels.argmax(at, w.N)));
      return ids;
    },
    products(hidden) {
      const y = new Float32Array(hidden.shape[0] * w.N);
      multiply(hidden, (row, at) => y.set(new Float32Array(wasm.memory.buffer, at, w.N), row * w.N));
      return y;
    },
    dispose() {
      w.free();
      wasm.free(out);
    },
  };
}
