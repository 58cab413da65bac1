/**
 * Tokenization in worker threads: tokenizers.js runs at roughly 130k tokens/s on one core here, which dominates a
 * datastore build, so documents are spread over several workers, each with its own tokenizer. The tokenizer is named
 * by module and factory (`retrieval/` must not import `model/`), e.g. `model/tokenizer.ts`'s `loadTokenizer(dir)`.
 *
 * Example:
 *   const pool = new TokenizePool({ module: require.resolve('../../model/tokenizer'), factory: 'loadTokenizer', args: [dir] }, 2);
 *   await pool.encode('def f():')   // Int32Array of ids, as tokenizer.encode would give
 *   await pool.close();
 */
import type { Worker } from 'worker_threads';
import { spawnModuleWorker } from '../worker';

/** How a worker makes its tokenizer: `require(module)[factory](...args)`, an object with `encode(text): number[]`. */
export interface TokenizerFactory {
  module: string; // absolute path (require.resolve) of the module
  factory: string; // exported function name
  args: unknown[]; // its arguments (structured-cloneable)
}

const WORKER_BODY = `
if (typeof mod[data.factory] !== 'function') throw new Error('tokenizer factory ' + data.factory + ' is not a function exported by ' + workerData.module);
const tokenizer = mod[data.factory](...data.args);
parentPort.on('message', ({ id, text }) => {
  try {
    const ids = Int32Array.from(tokenizer.encode(text));
    parentPort.postMessage({ id, ids }, [ids.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

type Pending = { resolve: (ids: Int32Array) => void; reject: (e: Error) => void; worker: number; chars: number };

export class TokenizePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private readonly load: number[]; // characters queued per worker
  private nextId = 0;
  private failure: Error | null = null; // set when a worker died or the pool was closed: every later encode rejects with it

  constructor(spec: TokenizerFactory, threads: number) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`TokenizePool: threads must be a positive integer (got ${threads})`);
    this.workers = Array.from({ length: threads }, () => this.spawn(spec));
    this.load = this.workers.map(() => 0);
  }

  private spawn(spec: TokenizerFactory): Worker {
    const w = spawnModuleWorker(spec.module, WORKER_BODY, { factory: spec.factory, args: spec.args });
    w.on('message', (m: { id: number; ids?: Int32Array; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.load[p.worker] -= p.chars;
      if (m.error !== undefined) p.reject(new Error(`tokenizer worker: ${m.error}`));
      else p.resolve(m.ids!);
    });
    w.on('error', (e) => this.fail(new Error(`tokenizer worker failed: ${e.message}`)));
    w.on('exit', (code) => this.fail(new Error(`tokenizer worker exited (code ${code})`)));
    return w;
  }

  /** A dead worker never answers: reject what is pending and everything after (the first reason is kept). */
  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  /** Token ids of `text`, computed in the worker with the fewest characters queued. */
  encode(text: string): Promise<Int32Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.load.indexOf(Math.min(...this.load));
    this.load[worker] += text.length;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker, chars: text.length });
      this.workers[worker].postMessage({ id, text });
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('TokenizePool: closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
