/**
 * The block KV cache alone against a naive reference (a plain array of entry ids): random pending sizes, commits of
 * random subsets in random order, rollbacks. Each entry's key column and value row carry its id, so the concatenated
 * blocks must read back exactly the reference sequence.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';
import { KVCache } from '../../model/kv-cache';

const D = 3; // head dim
const SLOTS = 2; // e.g. 1 layer × 2 kv heads

beforeAll(() => selectBackend('wasm'));

/** Pending K `[D, n]` / V `[n, D]` whose entry i holds id·10 + slot (key) and -(id·10 + slot) (value). */
function pending(cache: KVCache, ids: number[]): void {
  for (let s = 0; s < SLOTS; s++) {
    const k = tf.tensor2d(Array.from({ length: D * ids.length }, (_, x) => ids[x % ids.length] * 10 + s), [D, ids.length]);
    const v = tf.tensor2d(Array.from({ length: ids.length * D }, (_, x) => -(ids[Math.floor(x / D)] * 10 + s)), [ids.length, D]);
    cache.setPending(s, k, v);
  }
}

function contents(cache: KVCache, slot: number): { keys: number[]; values: number[] } {
  const keys = cache.keys(slot).flatMap((k) => (k.arraySync() as number[][])[D - 1]);
  const values = cache.values(slot).flatMap((v) => (v.arraySync() as number[][]).map((row) => row[0]));
  return { keys, values };
}

test('random commits and rollbacks read back like a plain array; tensors are freed', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const baseline = tf.memory().numTensors;
  const cache = new KVCache();
  const ref: number[] = [];
  let nextId = 1;
  for (let step = 0; step < 300; step++) {
    const n = 1 + rand(step % 10 === 0 ? 40 : 6);
    const ids = Array.from({ length: n }, () => nextId++);
    pending(cache, ids);
    if (rand(8) === 0) {
      cache.rollback(rand(ref.length + 1));
      ref.length = cache.length;
      continue;
    }
    const keep = ids.map((_, i) => i).sort(() => rand(3) - 1).slice(0, rand(n + 1));
    cache.commit(keep);
    ref.push(...keep.map((i) => ids[i]));
    expect(cache.length).toBe(ref.length);
    expect(cache.blockCount).toBeLessThanOrEqual(Math.floor(Math.log(Math.max(ref.length, 1)) / Math.log(4)) + 1);
  }
  for (let s = 0; s < SLOTS; s++) {
    const got = contents(cache, s);
    expect(got.keys).toEqual(ref.map((id) => id * 10 + s));
    expect(got.values).toEqual(ref.map((id) => -(id * 10 + s)));
  }
  expect(tf.memory().numTensors).toBe(baseline + 2 * SLOTS * cache.blockCount);
  cache.reset();
  expect(tf.memory().numTensors).toBe(baseline);
});
