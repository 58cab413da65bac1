/**
 * Slice, SplitV and Unpack for tfjs-backend-wasm without copying the whole input to JS on every call.
 *
 * The stock wasm `Slice` kernel (4.22.0) starts with `backend.readSync(x)`: a fresh ArrayBuffer holding all of x, even
 * when one row is wanted, and `SplitV` / `Unpack` call it once per piece. A Llama forward splits five tensors per layer
 * (q|k|v, q|k after RoPE, gate|up, the attention probabilities per cache block), so a tiny-coder-dsc step made ~40
 * such copies: in a CPU profile of greedy decoding, 4 % of the time in that `readSync` alone, plus the garbage
 * collections of the buffers. These kernels read x as a view of the wasm heap (`typedArrayFromHeap`) and copy only the
 * slice, one contiguous run at a time; the results are the same values (tested against the stock kernels). The same
 * heap views let the KV cache write its tail in place (`wasmTensorWriter`).
 *
 * Example:
 *   registerWasmSlices();                        // after the wasm backend is registered, before the model runs
 *   tf.slice(x, [0, 1], [2, 3]), tf.split(x, 2, 1), tf.unstack(x)   // now served by these kernels on wasm
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorWriter } from './kv-cache';

/**
 * A run shorter than this is copied element by element: `subarray` + `set` costs a view allocation per run, and a
 * slice of key columns (`[headDim, n]` → `[headDim, k]`, as a commit of new tensors takes) is runs of 1-3 elements:
 * one column of a [64, 4] block took 6.4 µs that way and 3.6 µs element by element (medians of 2,000, warm).
 */
const SHORT_RUN = 16;

/**
 * Copy the block `[begin, begin + size)` of a row-major array of `shape` into `out`, one run of the last axis at a time
 * (one `set` in all when the block is contiguous; short runs element by element).
 * Example: x = [0..5] as [2, 3], begin [0, 1], size [2, 2] → out [1, 2, 4, 5]
 */
export function copyBlock(x: tf.TypedArray, shape: number[], begin: number[], size: number[], out: tf.TypedArray): void {
  const strides = tf.util.computeStrides(shape); // [rank - 1]
  if (tf.slice_util.isSliceContinous(shape, begin, size)) {
    const from = tf.slice_util.computeFlatOffset(begin, strides);
    out.set(x.subarray(from, from + out.length));
    return;
  }
  const rank = shape.length;
  const run = size[rank - 1];
  const at = new Array<number>(rank - 1).fill(0); // position within the block, outer axes
  for (let o = 0; o < out.length; o += run) {
    let from = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) from += (begin[d] + at[d]) * strides[d];
    if (run < SHORT_RUN) for (let i = 0; i < run; i++) out[o + i] = x[from + i];
    else out.set(x.subarray(from, from + run), o);
    for (let d = rank - 2; d >= 0 && ++at[d] === size[d]; d--) at[d] = 0;
  }
}

/** One slice as a new wasm tensor. The output is allocated first: growing the heap would detach views taken before. */
function sliceOf(x: tf.TensorInfo, begin: number[], size: number[], backend: BackendWasm): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) > 0) copyBlock(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

const slice: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  const { begin, size } = attrs as unknown as tf.SliceAttrs;
  const [from, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceOf(x, from, extent, backend as BackendWasm);
};

const splitV: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[ax] = s;
    const piece = sliceOf(x, begin, size, backend as BackendWasm);
    begin[ax] += s;
    return piece;
  });
};

const unpack: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const value = inputs.value as tf.TensorInfo;
  const axis = tf.util.parseAxisParam((attrs as unknown as tf.UnpackAttrs).axis, value.shape)[0];
  const size = value.shape.slice();
  size[axis] = 1;
  const outShape = value.shape.filter((_, d) => d !== axis);
  return Array.from({ length: value.shape[axis] }, (_, i) => {
    const begin = value.shape.map((_, d) => (d === axis ? i : 0));
    const { dataId, dtype } = sliceOf(value, begin, size, backend as BackendWasm);
    return { dataId, dtype, shape: outShape };
  });
};

const KERNELS: [string, tf.KernelFunc][] = [
  [tf.Slice, slice],
  [tf.SplitV, splitV],
  [tf.Unpack, unpack],
];
const STOCK = new Map<string, tf.KernelFunc>(); // the kernels replaced, by name

/**
 * Serve Slice, SplitV and Unpack on the 'wasm' backend with these kernels (string tensors, which this project never
 * slices, go to the stock kernel). Idempotent. Returns the stock kernels, for tests to compare against.
 */
export function registerWasmSlices(): ReadonlyMap<string, tf.KernelFunc> {
  for (const [name, kernelFunc] of KERNELS) {
    if (STOCK.has(name)) continue;
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`registerWasmSlices: the wasm backend has no '${name}' kernel (is @tensorflow/tfjs-backend-wasm loaded?)`);
    const stock = config.kernelFunc;
    STOCK.set(name, stock);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc: (args) => (firstInput(args).dtype === 'string' ? stock(args) : kernelFunc(args)) });
  }
  return STOCK;
}

function firstInput(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  return (args.inputs.x ?? args.inputs.value) as tf.TensorInfo;
}

/**
 * Write access to float32 tensors' memory on the wasm backend (its heap), for the KV cache's in-place open block
 * (model/kv-cache.ts). A view is valid until the heap grows, that is until the next allocation. After writing,
 * `changed` gives the tensor a new id in the wasm module: its matMul caches XNNPACK operators by the id of their second
 * operand, with that operand packed, and would go on multiplying by the old contents.
 * Undefined when the backend's internals are not those of tfjs-wasm 4.22 (its id counter and module calls).
 * Example: const w = wasmTensorWriter()!; const t = tf.zeros([2, 3]); w.view(t)[4] = 1; w.changed(t) // t reads [[0, 0, 0], [0, 1, 0]]
 */
export function wasmTensorWriter(): TensorWriter | undefined {
  const backend = tf.findBackend('wasm') as BackendWasm;
  const ids = backend as unknown as { dataIdNextNumber: number }; // the backend's own id counter (private in its types)
  const module = backend.wasm.tfjs as Partial<typeof backend.wasm.tfjs>;
  if (typeof ids.dataIdNextNumber !== 'number' || typeof module.registerTensor !== 'function' || typeof module.disposeData !== 'function') return undefined; // another tfjs-wasm inside: the cache makes new tensors
  return {
    view: (t) => backend.typedArrayFromHeap(t) as Float32Array,
    changed(t) {
      const data = backend.dataIdMap.get(t.dataId);
      backend.wasm.tfjs.disposeData(data.id); // the module forgets the id and what it cached under it; the memory stays
      data.id = ids.dataIdNextNumber++;
      backend.wasm.tfjs.registerTensor(data.id, tf.util.sizeFromShape(t.shape), data.memoryOffset);
    },
  };
}
