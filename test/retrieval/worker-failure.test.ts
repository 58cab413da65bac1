import type { Worker } from 'worker_threads';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { SearchPool } from '../../retrieval/search-pool';
import { TokenizePool } from '../../retrieval/io/tokenize-pool';

/** Resolves to the promise's outcome, or to 'no answer' if it neither resolves nor rejects within `ms` (a hang). */
function settled(p: Promise<unknown>, ms = 3000): Promise<string> {
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), ms).unref());
  return Promise.race([p.then(() => 'resolved', (e: Error) => `rejected: ${e.message}`), timer]);
}

describe('a worker that dies never leaves a promise hanging', () => {
  test('TokenizePool: a tokenizer that cannot start rejects the pending encode and every later one', async () => {
    const pool = new TokenizePool({ module: require.resolve('./hash-tokenizer'), factory: 'noSuchFactory', args: [] }, 1);
    try {
      expect(await settled(pool.encode('a'))).toMatch(/^rejected: tokenizer worker failed: tokenizer factory noSuchFactory is not a function exported by .*hash-tokenizer/);
      await new Promise((r) => setTimeout(r, 200)); // the worker is gone by now
      expect(await settled(pool.encode('b'))).toMatch(/^rejected: tokenizer worker failed/);
    } finally {
      await pool.close();
    }
  });

  test('TokenizePool: encode after close rejects', async () => {
    const pool = new TokenizePool({ module: require.resolve('./hash-tokenizer'), factory: 'hashTokenizer', args: [100] }, 1);
    expect(Array.from(await pool.encode('a b'))).toHaveLength(3);
    await pool.close();
    expect(await settled(pool.encode('c'))).toBe('rejected: TokenizePool: closed');
  });

  test('SearchPool: after a worker exits every search rejects (its answer would never come); search after close rejects', async () => {
    const ds = datastoreFromDocuments([{ path: 'a', tokens: [1, 2, 3, 1, 2, 4] }], 10, '00'.repeat(32));
    const opts = { nMax: 16, nMin: 2, k: 5000, span: 10 };
    const pool = new SearchPool([ds, ds]);
    try {
      const ok = await pool.search(1, Int32Array.from([1, 2]), opts);
      expect(ok.matchCount).toBe(2);
      const workers = (pool as unknown as { pool: { workers: Worker[] } }).pool.workers;
      await workers[0].terminate(); // as if the thread had crashed
      expect(await settled(pool.search(0, Int32Array.from([1, 2]), opts))).toMatch(/^rejected: search worker exited/);
      expect(await settled(pool.search(1, Int32Array.from([1, 2]), opts))).toMatch(/^rejected: search worker exited/);
    } finally {
      await pool.close();
    }
    const closed = new SearchPool([ds]);
    await closed.close();
    expect(await settled(closed.search(0, Int32Array.from([1, 2]), opts))).toBe('rejected: SearchPool: closed');
  });
});
