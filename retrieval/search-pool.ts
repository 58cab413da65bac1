/**
 * One worker thread per datastore, searching its SharedArrayBuffer-backed tokens and suffix array (no copy), so D_r
 * and D_c are searched concurrently.
 *
 * Each worker runs `suffix-array.ts` (see `worker.ts` for how that loads under jest, tsx and `dist/`, and for the
 * failure rules shared with the tokenizer pool).
 *
 * Example:
 *   const pool = new SearchPool([repo, common]);
 *   const [r, c] = await Promise.all([pool.search(0, ctx, opts), pool.search(1, ctx, opts)]);
 *   await pool.close();
 */
import { spawnModuleWorker, WorkerPool } from './worker';
import type { SearchOptions, SuffixRange } from './suffix-array';

/** The arrays a worker searches; they must be SharedArrayBuffer-backed. */
export interface SearchTarget {
  tokens: Int32Array;
  sa: Int32Array;
}

const WORKER_BODY = `
parentPort.on('message', ({ id, context, opts }) => {
  try {
    parentPort.postMessage({ id, result: mod.findMatch(data.tokens, data.sa, context, opts) });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

export class SearchPool {
  private readonly pool: WorkerPool<SuffixRange>;

  constructor(targets: SearchTarget[]) {
    for (const t of targets) {
      if (!(t.tokens.buffer instanceof SharedArrayBuffer) || !(t.sa.buffer instanceof SharedArrayBuffer)) {
        throw new Error('SearchPool: datastore arrays must be SharedArrayBuffer-backed (build or load them with retrieval/datastore.ts)');
      }
    }
    const workers = targets.map((t) => spawnModuleWorker(require.resolve('./suffix-array'), WORKER_BODY, { tokens: t.tokens, sa: t.sa }));
    this.pool = new WorkerPool('SearchPool', 'search worker', workers);
  }

  /** Search target `i` for the longest suffix of `context`, in its worker: where the match is in its suffix array. */
  search(i: number, context: Int32Array, opts: SearchOptions): Promise<SuffixRange> {
    return this.pool.request(i, { context, opts });
  }

  /** Terminate the workers; searches still pending, and any later one, reject. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
