/**
 * Choosing the TensorFlow.js backend: `@tensorflow/tfjs-node-gpu` if installed and loadable, then
 * `@tensorflow/tfjs-node`, else `@tensorflow/tfjs-backend-wasm` (ships its own binary; the working CPU backend when
 * the native packages could not download libtensorflow). An explicit name, or `FASTCODER_BACKEND`, overrides:
 * `tensorflow` (tfjs-node-gpu or tfjs-node), `wasm`, or `cpu` (pure JS, ~25x slower than wasm; for debugging).
 *
 * Example:
 *   const chosen = await selectBackend();          // e.g. { name: 'wasm', detail: '@tensorflow/tfjs-backend-wasm, 1 thread(s)' }
 *   const forced = await selectBackend('cpu');     // { name: 'cpu', detail: '@tensorflow/tfjs-backend-cpu (pure JS)' }
 */
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface ChosenBackend {
  name: BackendName; // the tfjs backend now active
  detail: string; // which package provides it, for the CLI to print
}

/** Try to load a native tfjs-node package; undefined when absent or broken (e.g. libtensorflow never downloaded). */
function tryNative(): string | undefined {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
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

async function activateWasm(): Promise<ChosenBackend> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const chosen = await activate('wasm', '@tensorflow/tfjs-backend-wasm');
  return { ...chosen, detail: `${chosen.detail}, ${wasm.getThreadsCount()} thread(s)` };
}

/**
 * Make a backend active and say which. `requested` (else `FASTCODER_BACKEND`) forces one; otherwise native, then wasm.
 * An unknown name, or a forced `tensorflow` that cannot load, is an error.
 */
export async function selectBackend(requested?: string): Promise<ChosenBackend> {
  const want = requested ?? process.env.FASTCODER_BACKEND ?? '';
  if (want && !BACKEND_NAMES.includes(want as BackendName)) {
    throw new Error(`unknown backend '${want}' (from ${requested ? '--backend' : 'FASTCODER_BACKEND'}); choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (want === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    return activate('cpu', '@tensorflow/tfjs-backend-cpu (pure JS)');
  }
  if (want === 'wasm') return activateWasm();
  const native = tryNative();
  if (native && want === 'tensorflow') return activate('tensorflow', native);
  if (want === 'tensorflow') throw new Error(`backend 'tensorflow' requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads here`);
  // automatic choice: a native package that loads but whose backend will not start (e.g. it bundles another
  // tfjs-core copy) falls through to wasm like an absent one
  if (native && (await tf.setBackend('tensorflow').catch(() => false))) return activate('tensorflow', native);
  return activateWasm();
}
