/**
 * Choosing the TensorFlow.js backend. Automatic order: `@tensorflow/tfjs-node-gpu` if installed and loadable (CUDA),
 * then WebGPU (Dawn, `model/webgpu.ts`) on a hardware adapter, then `@tensorflow/tfjs-node`, else
 * `@tensorflow/tfjs-backend-wasm` (ships its own binary; the working CPU backend when the native packages could not
 * download libtensorflow). An explicit name, or `FASTCODER_BACKEND`, overrides: `tensorflow` (tfjs-node-gpu or
 * tfjs-node), `webgpu` (any adapter, software ones such as SwiftShader included), `wasm`, or `cpu` (pure JS, ~25x
 * slower than wasm; for debugging).
 *
 * Example:
 *   const chosen = await selectBackend();          // e.g. { name: 'wasm', detail: '@tensorflow/tfjs-backend-wasm, 1 thread(s)' }
 *   const forced = await selectBackend('cpu');     // { name: 'cpu', detail: '@tensorflow/tfjs-backend-cpu (pure JS)' }
 *   await selectBackend('webgpu');                 // { name: 'webgpu', detail: 'WebGPU (Dawn): google swiftshader (...)', adapter }
 *   await selectBackend('wasm', { wasmThreads: 2 }); // { name: 'wasm', detail: '..., 2 thread(s)', threads: 2 } (model/wasm-threads.ts)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorWriter } from './kv-cache';
import { type HeadArgmax, wasmHeadArgmax } from './wasm-head';
import { type PackedLinear, wasmLinear } from './wasm-linear';
import { registerWasmSlices, wasmTensorWriter } from './wasm-slice';
import { type AdapterSummary, describeAdapter, findAdapter, registerWebGPU, vulkanDriverListed } from './webgpu';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface ChosenBackend {
  name: BackendName; // the tfjs backend now active
  detail: string; // which package provides it (and the GPU adapter), for the CLI to print
  adapter?: AdapterSummary; // webgpu only: the adapter in use
  threads?: number; // wasm only: the size of XNNPACK's thread pool
  writer?: TensorWriter; // wasm only: writes to tensors' memory in place, for the KV cache
  headArgmax?: (weight: tf.Tensor2D) => HeadArgmax | undefined; // wasm only: the lm_head's argmaxes by model/wasm-head.ts (none on the threaded build, whose heap is shared)
  linear?: (weight: tf.Tensor2D) => PackedLinear | undefined; // wasm only: the layers' projections by model/wasm-linear.ts (none on the threaded build)
}

export interface BackendOptions {
  wasmThreads?: number; // wasm only: XNNPACK's pool size (default: FASTCODER_WASM_THREADS, else 1); see model/wasm-threads.ts
}

/** Try to load a native tfjs-node package; undefined when absent or broken (e.g. libtensorflow never downloaded). */
function tryNative(pkgs: string[]): string | undefined {
  for (const pkg of pkgs) {
    try {
      require(pkg); // registers the 'tensorflow' backend as a side effect
      return pkg;
    } catch {
      // not installed, or its native binding failed to load: fall through
    }
  }
  return undefined;
}

async function activate(name: BackendName, detail: string): Promise<ChosenBackend> {
  if (!(await tf.setBackend(name))) throw new Error(`backend '${name}' (${detail}) failed to initialise`);
  await tf.ready();
  // the cpu backend's first tensor prints "install our node backend": advice that cannot work offline (see Backends)
  if (name === 'cpu') (tf.backend() as { firstUse?: boolean }).firstUse = false;
  return { name, detail };
}

async function activateWasm(o: BackendOptions): Promise<ChosenBackend> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { parseWasmThreads, setWasmThreads } = await import('./wasm-threads');
  const env = process.env.FASTCODER_WASM_THREADS;
  setWasmThreads(o.wasmThreads ?? (env ? parseWasmThreads(env, 'FASTCODER_WASM_THREADS') : 1));
  registerWasmSlices(); // slices that copy only the slice (the stock ones copy the whole input to JS)
  const chosen = await activate('wasm', '@tensorflow/tfjs-backend-wasm');
  const threads = wasm.getThreadsCount();
  return { ...chosen, detail: `${chosen.detail}, ${threads} thread(s)`, threads, writer: wasmTensorWriter(), headArgmax: wasmHeadArgmax, linear: wasmLinear };
}

/** WebGPU on the adapter Dawn offers; `hardwareOnly` refuses a software one. A string says why it is not used. */
async function tryWebGPU(hardwareOnly: boolean): Promise<ChosenBackend | string> {
  const found = await findAdapter();
  if ('reason' in found) return found.reason;
  if (hardwareOnly && found.adapter.software) return `only a software adapter: ${describeAdapter(found.adapter)}`;
  registerWebGPU();
  const chosen = await activate('webgpu', `@tensorflow/tfjs-backend-webgpu on Dawn: ${describeAdapter(found.adapter)}`);
  return { ...chosen, adapter: found.adapter };
}

/**
 * Make a backend active and say which. `requested` (else `FASTCODER_BACKEND`) forces one; otherwise tfjs-node-gpu,
 * WebGPU on a hardware adapter, tfjs-node, wasm. An unknown name, or a forced backend that cannot start, is an error.
 */
export async function selectBackend(requested?: string, o: BackendOptions = {}): Promise<ChosenBackend> {
  const want = requested ?? process.env.FASTCODER_BACKEND ?? '';
  if (want && !BACKEND_NAMES.includes(want as BackendName)) {
    throw new Error(`unknown backend '${want}' (from ${requested ? '--backend' : 'FASTCODER_BACKEND'}); choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (want === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    return activate('cpu', '@tensorflow/tfjs-backend-cpu (pure JS)');
  }
  if (want === 'wasm') return activateWasm(o);
  if (want === 'webgpu') {
    const webgpu = await tryWebGPU(false);
    if (typeof webgpu === 'string') throw new Error(`backend 'webgpu' requested but ${webgpu}`);
    return webgpu;
  }
  if (want === 'tensorflow') {
    const native = tryNative(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    if (!native) throw new Error(`backend 'tensorflow' requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads here`);
    return activate('tensorflow', native);
  }
  // automatic choice: a native package that loads but whose backend will not start (e.g. it bundles another
  // tfjs-core copy) falls through like an absent one
  const cuda = tryNative(['@tensorflow/tfjs-node-gpu']);
  if (cuda && (await tf.setBackend('tensorflow').catch(() => false))) return activate('tensorflow', cuda);
  if (vulkanDriverListed()) {
    const webgpu = await tryWebGPU(true);
    if (typeof webgpu !== 'string') return webgpu;
  }
  const native = tryNative(['@tensorflow/tfjs-node']);
  if (native && (await tf.setBackend('tensorflow').catch(() => false))) return activate('tensorflow', native);
  return activateWasm(o);
}
