/**
 * The panel kernels of `model/wasm-gemm-source.ts` on tfjs-wasm's heap: one instance per heap, a weight packed once into
 * panels of 16 columns, and rows multiplied two at a time over it. Shared by the lm_head's argmaxes
 * (`model/wasm-head.ts`) and the layers' projections (`model/wasm-linear.ts`).
 *
 * Example:
 *   const wasm = wasmModule()!; const w = packWeight(wasm, weight)!;     // weight: [K, N] float32 on the wasm backend
 *   gemmRows(kernelsFor(wasm.memory), rowsAt, 3, w, outAt, w.stride);    // 3 rows: gemm2 then gemm1
 *   w.free();
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GEMM_WASM_BASE64 } from './wasm-gemm-binary';
import { KERNEL_ROWS, PANEL } from './wasm-gemm-source';

/** Rows per pass: every count from 1 to it has a kernel (KERNEL_ROWS). */
export const PASS_ROWS = Math.max(...KERNEL_ROWS);

type Gemm = (a: number, k: number, w: number, panels: number, out: number, stride: number) => void;
export interface Kernels {
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

/** The wasm backend's module as the kernels use it. */
export interface WasmModule {
  backend: BackendWasm;
  memory: WasmMemory; // the heap every tensor lives in
  malloc: (bytes: number) => number; // 0 when the heap cannot grow
  free: (ptr: number) => void;
}

/** The active wasm backend's module, when it is tfjs-wasm 4.22's with an unshared memory (one thread); else undefined. */
export function wasmModule(): WasmModule | undefined {
  if (tf.engine().backendName !== 'wasm') return undefined;
  const backend = tf.findBackend('wasm') as BackendWasm | null;
  const module = backend?.wasm as unknown as { asm?: { memory?: unknown }; _malloc?: (n: number) => number; _free?: (p: number) => void } | undefined;
  const memory = module?.asm?.memory;
  if (!backend || !(memory instanceof WASM.Memory) || memory.buffer instanceof SharedArrayBuffer || !module?._malloc || !module._free) return undefined;
  return { backend, memory, malloc: module._malloc, free: module._free };
}

const instances = new WeakMap<WasmMemory, Kernels>(); // one instance of the kernels per heap

/** The kernels instantiated over `memory` (once per heap). */
export function kernelsFor(memory: WasmMemory): Kernels {
  let k = instances.get(memory);
  if (!k) {
    const exports = new WASM.Instance(new WASM.Module(Buffer.from(GEMM_WASM_BASE64, 'base64')), { env: { memory } }).exports;
    k = { gemm: Object.fromEntries(KERNEL_ROWS.map((r) => [r, exports[`gemm${r}`] as Gemm])), argmax: exports.argmax as Kernels['argmax'] };
    instances.set(memory, k);
  }
  return k;
}

/** A weight packed on the heap for the kernels. */
export interface PackedWeight {
  K: number; // rows of the weight: the length of an input row
  N: number; // columns: the length of an output row
  panels: number; // ⌈N / PANEL⌉
  stride: number; // panels · PANEL: floats per output row the kernels write
  at: number; // byte offset of the panels on the heap
  free(): void;
}

/**
 * `weight` ([K, N], float32, on the wasm backend) copied into panels on the heap, or undefined when the heap has no room
 * for the copy (wasm's 4 GiB) or the weight is not float32.
 */
export function packWeight(wasm: WasmModule, weight: tf.Tensor2D): PackedWeight | undefined {
  if (weight.dtype !== 'float32') return undefined;
  const [K, N] = weight.shape;
  const panels = Math.ceil(N / PANEL);
  const at = wasm.malloc(panels * K * PANEL * 4);
  if (at === 0) return undefined;
  packPanels(wasm.backend.typedArrayFromHeap(weight) as Float32Array, K, N, new Float32Array(wasm.memory.buffer, at, panels * K * PANEL)); // views after the malloc: growing the heap detaches older ones
  return { K, N, panels, stride: panels * PANEL, at, free: () => wasm.free(at) };
}

/**
 * The byte offset on the heap of `x` ([rows, K] row-major), the rows `kernels` (their name, for the message) multiply by
 * `w`; rows of another width are refused. Example: heapRows(wasm, tf.zeros([2, 7]), w8, 'linear kernels') → throws
 * 'linear kernels: rows of 7 values, expected 8'
 */
export function heapRows(wasm: WasmModule, x: tf.Tensor2D, w: PackedWeight, kernels: string): number {
  if (x.shape[1] !== w.K) throw new Error(`${kernels}: rows of ${x.shape[1]} values, expected ${w.K}`);
  return wasm.backend.dataIdMap.get(x.dataId).memoryOffset;
}

/**
 * `rows` rows of K floats at byte `a` times the packed weight, into `rows` rows of `stride` floats at byte `out`: two rows
 * per pass (PASS_ROWS: the weight streamed once for both), an odd last one alone. Example: rows 5 → gemm2, gemm2, gemm1
 */
export function gemmRows(kernels: Kernels, a: number, rows: number, w: PackedWeight, out: number, stride: number): void {
  for (let r = 0; r < rows; r += PASS_ROWS) kernels.gemm[Math.min(PASS_ROWS, rows - r)](a + r * w.K * 4, w.K, w.at, w.panels, out + r * stride * 4, stride);
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
