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
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GEMM_WASM_BASE64 } from './wasm-gemm-binary';
import { KERNEL_ROWS, PANEL } from './wasm-gemm-source';

/** The argmax of each row of `hidden · W` for one weight W. */
export interface HeadArgmax {
  argmax(hidden: tf.Tensor2D): Int32Array; // hidden: [rows, K] on the wasm backend
  products(hidden: tf.Tensor2D): Float32Array; // hidden · W as the kernels compute it, [rows, N] row-major (for checks and notebooks)
  dispose(): void;
}

type Gemm = (a: number, k: number, w: number, panels: number, out: number, stride: number) => void;
interface Kernels {
  gemm: Record<number, Gemm>; // by rows (KERNEL_ROWS)
  argmax: (x: number, n: number) => number;
}

/** The WebAssembly API, as far as it is used here (the project compiles without the DOM library, which declares it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: abstract new () => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const MAX_ROWS = Math.max(...KERNEL_ROWS); // rows per pass; more rows go in several passes

/** The wasm backend's module and its memory, when they are tfjs-wasm 4.22's (an unshared memory: one thread). */
function wasmModule(): { backend: BackendWasm; memory: WasmMemory; malloc: (bytes: number) => number; free: (ptr: number) => void } | undefined {
  const backend = tf.findBackend('wasm') as BackendWasm | null;
  const module = backend?.wasm as unknown as { asm?: { memory?: unknown }; _malloc?: (n: number) => number; _free?: (p: number) => void } | undefined;
  const memory = module?.asm?.memory;
  if (!backend || !(memory instanceof WASM.Memory) || memory.buffer instanceof SharedArrayBuffer || !module?._malloc || !module._free) return undefined;
  return { backend, memory, malloc: module._malloc, free: module._free };
}

const instances = new WeakMap<WasmMemory, Kernels>(); // one instance of the kernels per heap

function kernelsFor(memory: WasmMemory): Kernels {
  let k = instances.get(memory);
  if (!k) {
    const exports = new WASM.Instance(new WASM.Module(Buffer.from(GEMM_WASM_BASE64, 'base64')), { env: { memory } }).exports;
    k = { gemm: Object.fromEntries(KERNEL_ROWS.map((r) => [r, exports[`gemm${r}`] as Gemm])), argmax: exports.argmax as Kernels['argmax'] };
    instances.set(memory, k);
  }
  return k;
}

/**
 * `weight` ([K, N], float32, on the wasm backend) packed for the kernels, or undefined where they cannot run: another
 * backend, another tfjs-wasm inside, the multi-threaded build (whose XNNPACK splits the rows' work between threads), or
 * a heap with no room for the copy.
 */
export function wasmHeadArgmax(weight: tf.Tensor2D): HeadArgmax | undefined {
  const wasm = wasmModule();
  if (!wasm || weight.dtype !== 'float32' || tf.engine().backendName !== 'wasm') return undefined;
  const [K, N] = weight.shape;
  const panels = Math.ceil(N / PANEL);
  const stride = panels * PANEL; // floats per row of products
  const packed = wasm.malloc(panels * K * PANEL * 4);
  const out = wasm.malloc(MAX_ROWS * stride * 4);
  if (packed === 0 || out === 0) {
    // the heap cannot hold another copy of the weight (wasm's 4 GiB): tf.matMul reads it instead
    if (packed !== 0) wasm.free(packed);
    if (out !== 0) wasm.free(out);
    return undefined;
  }
  packPanels(wasm.backend.typedArrayFromHeap(weight) as Float32Array, K, N, new Float32Array(wasm.memory.buffer, packed, panels * K * PANEL)); // views after the mallocs: growing the heap detaches older ones
  const kernels = kernelsFor(wasm.memory);
  /** Multiply the rows of `hidden` by W, up to MAX_ROWS per pass; after each pass `read(r, at)` reads row r's products at byte `at`. */
  const multiply = (hidden: tf.Tensor2D, read: (row: number, at: number) => void): void => {
    if (hidden.shape[1] !== K) throw new Error(`lm_head kernels: rows of ${hidden.shape[1]} values, expected ${K}`);
    const at = wasm.backend.dataIdMap.get(hidden.dataId).memoryOffset; // [rows, K] row-major on the heap
    for (let first = 0; first < hidden.shape[0]; first += MAX_ROWS) {
      const n = Math.min(MAX_ROWS, hidden.shape[0] - first);
      kernels.gemm[n](at + first * K * 4, K, packed, panels, out, stride);
      for (let r = 0; r < n; r++) read(first + r, out + r * stride * 4);
    }
  };
  return {
    argmax(hidden) {
      const ids = new Int32Array(hidden.shape[0]);
      multiply(hidden, (row, at) => (ids[row] = kernels.argmax(at, N)));
      return ids;
    },
    products(hidden) {
      const y = new Float32Array(hidden.shape[0] * N);
      multiply(hidden, (row, at) => y.set(new Float32Array(wasm.memory.buffer, at, N), row * N));
      return y;
    },
    dispose() {
      wasm.free(packed);
      wasm.free(out);
    },
  };
}

/**
 * Copy a row-major [K, N] matrix into panels of PANEL columns, `[panels][K][PANEL]`, zeros past column N.
 * Example: K 1, N 2 (PANEL 16): [a, b] → [a, b, 0 × 14]
 */
export function packPanels(w: Float32Array, K: number, N: number, packed: Float32Array): void {
  for (let p = 0; p * PANEL < N; p++) {
    const width = Math.min(PANEL, N - p * PANEL);
    for (let k = 0; k < K; k++) {
      const to = (p * K + k) * PANEL;
      packed.set(w.subarray(k * N + p * PANEL, k * N + p * PANEL + width), to);
      packed.fill(0, to + width, to + PANEL);
    }
  }
}
