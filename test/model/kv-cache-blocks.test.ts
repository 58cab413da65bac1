/**
 * The block KV cache alone against a naive reference (a plain array of entry ids): random pending sizes, commits of
 * random subsets in random order, rollbacks, with the open block written in place (wasm heap views) and as new tensors.
 * Each entry's key column and value row carry its id, so the committed entries must read back exactly the reference
 * sequence.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';
import { KVCache, runStart, TAIL_CAPACITY, type TensorWriter } from '../../model/kv-cache';
import { wasmTensorWriter } from '../../model/wasm-slice';
import { seededRandom } from '../../retrieval/timing';

const D = 3; // head dim
const SLOTS = 2; // e.g. 1 layer × 2 kv heads

beforeAll(() => selectBackend('wasm'));

/** Pending K `[D, n]` / V `[n, D]` whose entry i holds id·10 + slot + 1000·row (key) and -(id·10 + slot) (value). */
function pending(cache: KVCache, ids: number[]): void {
  cache.begin(ids.length);
  for (let s = 0; s < SLOTS; s++) {
    const k = tf.tensor2d(Array.from({ length: D * ids.length }, (_, x) => ids[x % ids.length] * 10 + s + 1000 * Math.floor(x / ids.length)), [D, ids.length]);
    const v = tf.tensor2d(Array.from({ length: ids.length * D }, (_, x) => -(ids[Math.floor(x / D)] * 10 + s)), [ids.length, D]);
    cache.setPending(s, k, v);
  }
}

/** The committed entries of `slot`: every block, the open one (if any) cut to its committed entries. */
function contents(cache: KVCache, slot: number): { keys: number[][]; values: number[] } {
  const open = cache.openLayout();
  const cut = <T>(blocks: T[][]) => (open ? [...blocks.slice(0, -1), blocks[blocks.length - 1].slice(0, open.committed)] : blocks);
  const keyBlocks = cache.keys(slot).map((k) => k.arraySync() as number[][]); // blocks × [D][len]
  const keys = Array.from({ length: D }, (_, r) => cut(keyBlocks.map((b) => b[r])).flat());
  const values = cut(cache.values(slot).map((v) => (v.arraySync() as number[][]).map((row) => row[0]))).flat();
  return { keys, values };
}

const MODES: [string, () => TensorWriter | undefined][] = [
  ['in place', wasmTensorWriter],
  ['new tensors', () => undefined],
];

test.each(MODES)('%s: random commits and rollbacks read back like a plain array; tensors are freed', (_, writer) => {
  const random = seededRandom(7);
  const rand = (n: number) => Math.floor(random() * n);
  const baseline = tf.memory().numTensors;
  const cache = new KVCache({ slots: SLOTS, headDim: D }, writer());
  const inPlace = cache.inPlace;
  const ref: number[] = [];
  let nextId = 1;
  for (let step = 0; step < 300; step++) {
    const n = 1 + rand(step % 10 === 0 ? 2 * TAIL_CAPACITY : 6); // some forwards larger than a tail
    const ids = Array.from({ length: n }, () => nextId++);
    pending(cache, ids);
    if (rand(8) === 0) {
      cache.rollback(rand(ref.length + 1));
      ref.length = cache.length;
      continue;
    }
    // a random subset in random order, or a run of consecutive entries (which the cache slices instead of gathering)
    const from = rand(n);
    const keep = rand(2) === 0 ? ids.map((_, i) => i).sort(() => rand(3) - 1).slice(0, rand(n + 1)) : ids.slice(from, from + 1 + rand(n - from)).map((_, i) => from + i);
    cache.commit(keep);
    ref.push(...keep.map((i) => ids[i]));
    expect(cache.length).toBe(ref.length);
    // in place: one committed block and the tail; new tensors: geometric merging
    expect(cache.blockCount).toBeLessThanOrEqual(inPlace ? 2 : Math.floor(Math.log(Math.max(ref.length, 1)) / Math.log(4)) + 1);
  }
  for (let s = 0; s < SLOTS; s++) {
    const got = contents(cache, s);
    expect(got.keys).toEqual(Array.from({ length: D }, (_, r) => ref.map((id) => id * 10 + s + 1000 * r)));
    expect(got.values).toEqual(ref.map((id) => -(id * 10 + s)));
  }
  expect(tf.memory().numTensors).toBe(baseline + 2 * SLOTS * cache.blockCount);
  cache.reset();
  expect(tf.memory().numTensors).toBe(baseline);
});

test.each([
  [[3, 4, 5], 3],
  [[0], 0],
  [[3, 5], -1],
  [[4, 3], -1],
  [[], -1],
])('runStart(%j) = %d', (idx, start) => {
  expect(runStart(idx)).toBe(start);
});
