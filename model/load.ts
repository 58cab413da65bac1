/**
 * `loadModel(dir)`: pick the backend, read `dir/config.json` and the safetensors weights, return a ready LlamaModel.
 *
 * Example:
 *   const lm = await loadModel('test/fixtures/hf-llama/llama-tiny', { backend: 'wasm' });
 *   lm.backend                       // 'wasm'
 *   const logits = await lm.forward([1, 5, 9], [0, 1, 2]);   // Float32Array(3 × 512)
 */
import { type ChosenBackend, selectBackend } from './backend';
import { openCheckpoint } from './checkpoint';
import { loadConfig } from './config';
import { type BackendHooks, LlamaModel } from './llama';
import { loadWeights } from './weights';

export interface LoadOptions {
  backend?: string; // 'tensorflow' | 'webgpu' | 'wasm' | 'cpu'; default: FASTCODER_BACKEND, else the best available
  wasmThreads?: number; // wasm: XNNPACK's thread pool size; default FASTCODER_WASM_THREADS, else 1 (model/wasm-threads.ts)
  kvCache?: 'in-place' | 'new-tensors'; // the KV cache's open block: written in place where the backend allows (wasm; the default), or new tensors at each commit (model/kv-cache.ts)
  lmHead?: 'panels' | 'tfjs'; // the lm_head's argmaxes: by model/wasm-head.ts where the backend allows (wasm on one thread; the default), or tf.matMul + tf.argMax
  linear?: 'panels' | 'tfjs'; // the layers' projections: by model/wasm-linear.ts at the row counts it serves, where the backend allows (wasm on one thread; the default), or always tf.matMul
}

/** What the backend offers the model, less what the options turn down: the KV cache's writer, the lm_head's argmax, the projections' kernels. */
export function backendHooks(backend: ChosenBackend, opts: LoadOptions): BackendHooks {
  return {
    writer: opts.kvCache === 'new-tensors' ? undefined : backend.writer,
    headArgmax: opts.lmHead === 'tfjs' ? undefined : backend.headArgmax,
    linear: opts.linear === 'tfjs' ? undefined : backend.linear,
  };
}

/** Load a HF Llama checkpoint directory (config.json + model.safetensors or a sharded index). */
export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<LlamaModel> {
  const backend = await selectBackend(opts.backend, opts);
  const config = loadConfig(dir);
  const ckpt = openCheckpoint(dir);
  try {
    return new LlamaModel(config, loadWeights(ckpt, config), backend.name, backend.detail, backend.threads, backendHooks(backend, opts));
  } finally {
    ckpt.close();
  }
}
