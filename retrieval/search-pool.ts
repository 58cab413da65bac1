/**
 * One worker thread per datastore, searching its SharedArrayBuffer-backed tokens and suffix array (no copy), so D_r
 * and D_c are searched concurrently.
 *
 * Each worker runs `suffix-array.ts` (see `worker.ts` for how that loads under jest, tsx and `dist/`).
 *
 * Example:
 *   const pool = new SearchPool([repo, common]);
 *   const [r, c] = await Promise.all([pool.search(0, ctx, opts), pool.search(1, ctx, opts)]);
 *   await pool.close();
 */
import type { Worker } from 'worker_threads';
import { spawnModuleWorker } from './worker';
import type { SearchOptions, SuffixMatch } from './suffix-array';

/** The arrays a worker searches; they must be SharedArrayBuffer-backed. */
export interface SearchTarget {
  tokens: Int32Array;
  sa: Int32Array;
}

const WORKER_BODY = `
parentPort.on('message', ({ id, context, opts }) => {
  try {
    parentPort.postMessage({ id, result: mod.searchSuffixArray(data.tokens, data.sa, context, opts) });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

type Pending = { resolve: (r: SuffixMatch) => void; reject: (e: Error) => void; worker: number };

export class SearchPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private readonly busy: number[]; // requests in flight per worker: a busy worker keeps the process alive, an idle one not
  private nextId = 0;
  private failure: Error | null = null; // set when a worker died or the pool was closed: every later search rejects with it

  constructor(targets: SearchTarget[]) {
    for (const t of targets) {
      if (!(t.tokens.buffer instanceof SharedArrayBuffer) || !(t.sa.buffer instanceof SharedArrayBuffer)) {
        throw new Error('SearchPool: datastore arrays must be SharedArrayBuffer-backed (build or load them with retrieval/datastore.ts)');
      }
    }
    this.workers = targets.map((t) => this.spawn({ tokens: t.tokens, sa: t.sa }));
    this.busy = targets.map(() => 0);
  }

  private spawn(target: SearchTarget): Worker {
    const w = spawnModuleWorker(require.resolve('./suffix-array'), WORKER_BODY, target);
    w.on('message', (m: { id: number; result?: SuffixMatch; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (--this.busy[p.worker] === 0) this.workers[p.worker].unref();
      if (m.error !== undefined) p.reject(new Error(`search worker: ${m.error}`));
      else p.resolve(m.result!);
    });
    w.on('error', (e) => this.fail(new Error(`search worker failed: ${e.message}`)));
    w.on('exit', (code) => this.fail(new Error(`search worker exited (code ${code})`)));
    w.unref();
    return w;
  }

  /** A dead worker never answers: reject what is pending and everything after (the first reason is kept). */
  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.busy.fill(0);
    for (const w of this.workers) w.unref();
  }

  /** Search target `i` for the longest suffix of `context`, in its worker. */
  search(i: number, context: Int32Array, opts: SearchOptions): Promise<SuffixMatch> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: i });
      if (this.busy[i]++ === 0) this.workers[i].ref();
      this.workers[i].postMessage({ id, context, opts });
    });
  }

  /** Terminate the workers; searches still pending, and any later one, reject. */
  async close(): Promise<void> {
    this.fail(new Error('SearchPool: closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
