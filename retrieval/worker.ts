/**
 * Worker threads that run our TypeScript modules everywhere, and the request/answer bookkeeping that the search pool
 * (`search-pool.ts`) and the tokenizer pool (`io/tokenize-pool.ts`) share.
 *
 * `spawnModuleWorker`: an inline bootstrap (`eval: true`) registers tsx's CommonJS hook when the module is `.ts`
 * source (under jest, whose in-process transform a Worker cannot use, and under `tsx`), and plainly `require`s the
 * compiled `.js` from `dist/`.
 *
 * Example:
 *   const w = spawnModuleWorker(require.resolve('./suffix-array'), `
 *     parentPort.on('message', ({ id, context }) => parentPort.postMessage({ id, result: mod.findMatch(data.tokens, data.sa, context, opts) }));
 *   `, { tokens, sa });
 *   // in `body`: `mod` is the required module, `data` the workerData given, `parentPort` the port.
 *   const pool = new WorkerPool<SuffixRange>('SearchPool', 'search worker', [w]);
 *   await pool.request(0, { context });   // the worker's `result`, or rejects with its `error`
 *   await pool.close();
 */
import { Worker } from 'worker_threads';

const BOOTSTRAP = `
const { parentPort, workerData } = require('worker_threads');
if (workerData.tsxApi) require(workerData.tsxApi).register();
const mod = require(workerData.module);
const data = workerData.data;
`;

/** Start a worker running `body` with `mod` = require(modulePath) and `data` = `data` (SharedArrayBuffers are shared). */
export function spawnModuleWorker(modulePath: string, body: string, data: unknown): Worker {
  const tsxApi = modulePath.endsWith('.ts') ? require.resolve('tsx/cjs/api') : null;
  return new Worker(BOOTSTRAP + body, { eval: true, workerData: { module: modulePath, tsxApi, data } });
}

type Pending<T> = { resolve: (r: T) => void; reject: (e: Error) => void; worker: number };

/**
 * Requests to chosen workers, each answered by one `{ id, result }` or `{ id, error }` message. The rules, in one place:
 * - a worker keeps the process alive only while a request to it is in flight (an idle pool never holds a program open);
 * - a worker that fails or exits unasked rejects everything pending and every later request (a dead worker never
 *   answers, so nothing may wait for it), with the first reason;
 * - `close()` rejects what is pending, and holds every worker referenced until it has terminated: an unreferenced
 *   worker that is still terminating lets the event loop drain, and the process would exit 0 in the middle of a command.
 */
export class WorkerPool<T> {
  private readonly pending = new Map<number, Pending<T>>();
  private readonly inFlight: number[]; // requests in flight per worker
  private nextId = 0;
  private failure: Error | null = null; // set when a worker died or the pool was closed
  private closing = false;

  /** `owner` names the pool in "closed" errors, `role` its workers in failures, e.g. 'SearchPool', 'search worker'. */
  constructor(
    private readonly owner: string,
    private readonly role: string,
    readonly workers: Worker[],
  ) {
    this.inFlight = workers.map(() => 0);
    for (const w of workers) {
      w.on('message', (m: { id: number; result?: T; error?: string }) => this.answer(m));
      w.on('error', (e) => this.fail(new Error(`${role} failed: ${e.message}`)));
      w.on('exit', (code) => this.closing || this.fail(new Error(`${role} exited (code ${code})`)));
      w.unref();
    }
  }

  /** Send `message` (plus its `id`) to worker `i`; resolves to the worker's `result`. */
  request(i: number, message: object, transfer?: ArrayBuffer[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: i });
      if (this.inFlight[i]++ === 0) this.workers[i].ref();
      this.workers[i].postMessage({ ...message, id }, transfer);
    });
  }

  /** Terminate every worker (awaited with the workers referenced); pending and later requests reject. */
  async close(): Promise<void> {
    this.fail(new Error(`${this.owner}: closed`));
    this.closing = true;
    for (const w of this.workers) w.ref();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private answer(m: { id: number; result?: T; error?: string }): void {
    const p = this.pending.get(m.id);
    if (!p) return; // answered after a failure or close: already rejected
    this.pending.delete(m.id);
    if (--this.inFlight[p.worker] === 0) this.workers[p.worker].unref();
    if (m.error !== undefined) p.reject(new Error(`${this.role}: ${m.error}`));
    else p.resolve(m.result as T);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.inFlight.fill(0);
    if (!this.closing) for (const w of this.workers) w.unref();
  }
}
