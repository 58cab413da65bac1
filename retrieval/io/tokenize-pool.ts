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
import { spawnModuleWorker, WorkerPool } from '../worker';

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
    parentPort.postMessage({ id, result: ids }, [ids.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

export class TokenizePool {
  private readonly pool: WorkerPool<Int32Array>;
  private readonly load: number[]; // characters queued per worker

  constructor(spec: TokenizerFactory, threads: number) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`TokenizePool: threads must be a positive integer (got ${threads})`);
    const workers = Array.from({ length: threads }, () => spawnModuleWorker(spec.module, WORKER_BODY, { factory: spec.factory, args: spec.args }));
    this.pool = new WorkerPool('TokenizePool', 'tokenizer worker', workers);
    this.load = workers.map(() => 0);
  }

  /** Token ids of `text`, computed in the worker with the fewest characters queued. */
  encode(text: string): Promise<Int32Array> {
    const worker = this.load.indexOf(Math.min(...this.load));
    this.load[worker] += text.length;
    const done = (): void => void (this.load[worker] -= text.length);
    return this.pool.request(worker, { text }).finally(done);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
