/**
 * tfjs-backend-wasm with XNNPACK's thread pool under Node: the matmuls of a forward split across cores.
 *
 * tfjs ships a multi-threaded wasm build (Emscripten pthreads over worker_threads, which it supports under Node) but
 * never uses it there: its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false under Node (tensorflow/tfjs#3830), and its
 * loader hands Emscripten the pthread worker as a browser Blob URL, which Node's `Worker` cannot start. This module
 * registers the `wasm` backend on that build instead, with three things tfjs's loader cannot give under Node:
 * - the worker as a file (`wasm-threads-worker.cjs`) and the main script as a path, which the worker reads;
 * - the thread count: tfjs sizes its pool as half the logical cores (hyper-threading), at most 8, and offers no
 *   larger cap; the import it asks is answered with twice the wanted count;
 * - the wasm binary read from disk.
 * XNNPACK splits an operator's output into tiles and computes each element by the same microkernel whatever thread
 * runs it, so results are bit for bit those of one thread (tested in test/model/wasm-threads.test.ts).
 *
 * Example:
 *   setWasmThreads(2);                       // before tf.setBackend('wasm')
 *   await tf.setBackend('wasm');             // now a 2-thread pool serves matmuls, adds, softmax, ...
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const WASM_PRIORITY = 2; // tfjs's own priority for 'wasm'
export const MAX_WASM_THREADS = 8; // tfjs's build pre-creates 8 workers, its pool's limit
const BUILD = 'tfjs-backend-wasm-threaded-simd';
const WASM_OUT = path.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${BUILD}.js`));
const WORKER = path.join(__dirname, 'wasm-threads-worker.cjs');

type WasmModule = BackendWasm['wasm'];
type EmscriptenImports = { env: Record<string, unknown> }; // what the build imports, by module
type Receive = (instance: unknown, module: unknown) => void; // Emscripten's continuation once instantiated
type Cwrap = (name: string, returns: string | null, args: string[]) => (...args: number[]) => number; // Emscripten's
declare const WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }> }; // (not in lib ES2022)

/** Start the threaded build with a pool of `threads` (the same bindings tfjs's loader adds as `module.tfjs`). */
async function initThreaded(threads: number): Promise<WasmModule> {
  const factory = require(path.join(WASM_OUT, `${BUILD}.js`)) as (config: object) => Promise<WasmModule>;
  let failed: (e: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const config = {
    locateFile: (file: string) => (file.endsWith('.worker.js') ? WORKER : path.join(WASM_OUT, file)),
    mainScriptUrlOrBlob: path.join(WASM_OUT, `${BUILD}.js`), // each worker evaluates this file
    instantiateWasm: (imports: EmscriptenImports, receive: Receive) => {
      imports.env.emscripten_num_logical_cores = () => 2 * threads; // tfjs's pool: half of this, at most 8
      WebAssembly.instantiate(fs.readFileSync(path.join(WASM_OUT, `${BUILD}.wasm`)), imports).then((r) => receive(r.instance, r.module), failed);
      return {};
    },
    onAbort: (what: unknown) => failed(new Error(`the multi-threaded wasm build aborted: ${String(what)}`)),
  };
  const events = ['uncaughtException', 'unhandledRejection'];
  const emitter = process as NodeJS.EventEmitter;
  const before = new Set(events.flatMap((e) => emitter.listeners(e)));
  let module: WasmModule;
  try {
    module = await Promise.race([factory(config), failure]);
  } finally {
    // the build adds process-wide handlers that rethrow any error from inside its one-line, 60 kB script, which Node
    // then prints whole; errors are the caller's to handle
    for (const e of events) for (const l of emitter.listeners(e)) if (!before.has(l)) emitter.removeListener(e, l as () => void);
  }
  const cwrap = (module as unknown as { cwrap: Cwrap }).cwrap;
  module.tfjs = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: cwrap('dispose', null, []),
  };
  return module;
}

/** The backend on the threaded build. Its pool's workers, started by the constructor, stay alive but unreferenced. */
async function startThreaded(threads: number): Promise<BackendWasm> {
  const module = await initThreaded(threads);
  const { BackendWasm } = await import('@tensorflow/tfjs-backend-wasm');
  const backend = new BackendWasm(module);
  // Emscripten references a worker while it runs a thread, and the pool's threads never end: without this the
  // process would never exit on its own
  for (const worker of (module as unknown as { PThread: { runningWorkers: { unref(): void }[] } }).PThread.runningWorkers) worker.unref();
  return backend;
}

/** Whether `n` is a pool size this build can run. Example: validCount(2) → true; validCount(9) → false */
function validCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_WASM_THREADS;
}

let registered = 1; // the pool size 'wasm' is registered with now (1: tfjs's own single-threaded build)
let stock: ReturnType<typeof tf.findBackendFactory> | undefined; // tfjs's own factory for 'wasm'

/**
 * Register 'wasm' with a pool of `threads` (1 to 8; 1 is tfjs's own single-threaded build) for the next
 * `tf.setBackend('wasm')`. A change of count disposes the running wasm backend and every tensor on it; the same count
 * again does nothing. Example: setWasmThreads(2); await tf.setBackend('wasm'); getThreadsCount() → 2
 */
export function setWasmThreads(threads: number): void {
  if (!validCount(threads)) throw new Error(`wasm threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  if (threads === registered) return;
  stock ??= tf.findBackendFactory('wasm');
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', threads === 1 ? stock : () => startThreaded(threads), WASM_PRIORITY);
  registered = threads;
}

/**
 * A thread count from a flag or the environment; the error names `source`.
 * Example: parseWasmThreads('2', '--wasm-threads') → 2; parseWasmThreads('0', 'FASTCODER_WASM_THREADS') throws
 * "FASTCODER_WASM_THREADS must be an integer from 1 to 8, got '0'"
 */
export function parseWasmThreads(value: string, source: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !validCount(n)) throw new Error(`${source} must be an integer from 1 to ${MAX_WASM_THREADS}, got '${value}'`);
  return n;
}
