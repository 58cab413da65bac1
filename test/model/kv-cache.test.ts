/**
 * KV cache semantics on gqa-tiny (GQA, 8 query / 2 kv heads): committing a subset of tree tokens, in another order,
 * equals a fresh run on the resulting sequence; rollback; pending K/V dropped by the next forward; no tensor leaks. On
 * wasm the cache's open block is written in place, on cpu each commit makes new tensors (model/kv-cache.ts): both run.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'path';
import { compareArrays, formatCheck } from '../../model/hf-fixture';
import { LlamaModel } from '../../model/llama';
import { TAIL_CAPACITY } from '../../model/kv-cache';
import { loadModel } from '../../model/load';

const DIR = path.join(__dirname, '..', 'fixtures', 'hf-llama', 'gqa-tiny');
const PROMPT = [1, 40, 77, 3, 301, 250, 9, 18, 499, 64];
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe.each(['wasm', 'cpu'])('on %s', (backend) => {
  let lm: LlamaModel;
  beforeAll(async () => (lm = await loadModel(DIR, { backend })));
  afterAll(() => lm.dispose());
  beforeEach(() => lm.reset());

  /** Logits of a fresh causal run over `tokens` at positions 0.., row by row. */
  async function fresh(tokens: number[]): Promise<Float32Array> {
    lm.reset();
    const out = await lm.forward(tokens, range(0, tokens.length));
    lm.reset();
    return out;
  }

  function rows(a: Float32Array, which: number[]): Float32Array {
    const V = lm.vocabSize;
    const out = new Float32Array(which.length * V);
    which.forEach((r, i) => out.set(a.subarray(r * V, (r + 1) * V), i * V));
    return out;
  }

  function expectClose(name: string, got: Float32Array, want: Float32Array): void {
    const r = compareArrays(name, got, want, 1e-4);
    if (!r.pass) throw new Error(formatCheck(r));
  }

  async function prefill(tokens: number[]): Promise<void> {
    await lm.forward(tokens, range(lm.cacheLength, tokens.length));
    lm.commit(range(0, tokens.length));
  }

  test('commit of a subset in a different order equals a fresh run on that sequence', async () => {
    const L = PROMPT.length;
    await prefill(PROMPT);
    // 5 tree tokens; we will keep node 3 then node 1: node 3 sees only itself (position L), node 1 sees 3 and itself (L+1)
    const tokens = [11, 22, 33, 44, 55];
    const positions = [L, L + 1, L + 1, L, L + 2];
    const mask = Uint8Array.from([
      1, 0, 0, 0, 0,
      0, 1, 0, 1, 0,
      1, 0, 1, 0, 0,
      0, 0, 0, 1, 0,
      1, 0, 1, 0, 1,
    ]);
    const tree = await lm.forward(tokens, positions, mask);
    lm.commit([3, 1]);
    expect(lm.cacheLength).toBe(L + 2);
    const next = await lm.forward([66], [L + 2]);
    const want = await fresh([...PROMPT, 44, 22, 66]);
    expectClose('tree rows of kept nodes', rows(tree, [3, 1]), rows(want, [L, L + 1]));
    expectClose('next token after commit', next, rows(want, [L + 2]));
    // node 4's row (path 0 → 2 → 4) also equals its own causal sequence
    expectClose('node 4 row', rows(tree, [4]), rows(await fresh([...PROMPT, 11, 33, 55]), [L + 2]));
  });

  test('chunked prefill in many uneven chunks (several cache blocks) equals one pass', async () => {
    const chunks = [1, 1, 3, 2, 7, 1, 1, 4, 3, TAIL_CAPACITY - 20, 3, TAIL_CAPACITY + 5, 1, 2]; // beyond a tail, and one chunk larger than a tail
    const tokens = range(0, chunks.reduce((a, b) => a + b)).map((i) => (i * 37 + 11) % 512);
    const got: Float32Array[] = [];
    for (let i = 0, at = 0; i < chunks.length; at += chunks[i++]) {
      got.push(await lm.forward(tokens.slice(at, at + chunks[i]), range(at, chunks[i])));
      lm.commit(range(0, chunks[i]));
    }
    expect(lm.cacheBlockCount).toBeGreaterThan(1);
    expectClose('chunked', Float32Array.from(got.flatMap((g) => Array.from(g))), await fresh(tokens));
  });

  test('a forward larger than the tail (beside it on wasm) whose kept entries are committed equals a fresh run', async () => {
    await prefill(PROMPT); // on wasm: into the tail
    const L = PROMPT.length;
    const tokens = range(0, TAIL_CAPACITY + 8).map((i) => (i * 13 + 5) % 512);
    const got = await lm.forward(tokens, range(L, tokens.length)); // causal: row i sees tokens 0..i
    lm.commit([0, 1, 2]);
    const next = await lm.forward([77], [L + 3]);
    const want = await fresh([...PROMPT, ...tokens.slice(0, 3), 77]);
    expectClose('rows of the large forward', rows(got, range(0, 3)), rows(want, range(L, 3)));
    expectClose('next token after committing 3 of its rows', next, rows(want, [L + 3]));
  });

  test('rollback (inside a block and across blocks) then continuing equals a fresh run', async () => {
    for (const chunk of [PROMPT.slice(0, 4), PROMPT.slice(4, 6), PROMPT.slice(6)]) await prefill(chunk);
    lm.rollback(5);
    expect(lm.cacheLength).toBe(5);
    const got = await lm.forward([7, 8], [5, 6]);
    expectClose('after rollback', got, rows(await fresh([...PROMPT.slice(0, 5), 7, 8]), [5, 6]));
    expect(() => lm.rollback(99)).toThrow('rollback: length 99 must be an integer in 0..');
  });

  test('a second forward without commit drops the first one’s pending K/V; commit([]) keeps nothing', async () => {
    await prefill(PROMPT);
    await lm.forward([100, 101], [10, 11]);
    const b = await lm.forward([200], [10]);
    lm.commit([0]);
    expect(lm.cacheLength).toBe(11);
    expectClose('replaced pending', b, rows(await fresh([...PROMPT, 200]), [10]));
    await prefill(PROMPT);
    await lm.forward([3], [10]);
    lm.commit([]);
    expect(lm.cacheLength).toBe(10);
  });

  test('bad calls get clear errors', async () => {
    expect(() => lm.commit([0])).toThrow('commit: no forward pass to commit from');
    await expect(lm.forward([1, 2], [0])).rejects.toThrow('forward: 2 tokens but 1 positions');
    await expect(lm.forward([512], [0])).rejects.toThrow('forward: token 512 at index 0 is not in 0..511');
    await expect(lm.forward([1], [-1])).rejects.toThrow('forward: position -1 at index 0');
    await expect(lm.forward([1, 2], [0, 1], Uint8Array.of(1, 0, 1))).rejects.toThrow('treeMask has 3 entries, expected 2×2');
    await expect(lm.forward([1, 2], [0, 1], Uint8Array.of(1, 0, 1, 0))).rejects.toThrow('treeMask[1][1] must be 1');
    await lm.forward([1, 2], [0, 1]);
    expect(() => lm.commit([2])).toThrow("commit: index 2 out of range for the last forward's 2 tokens");
    expect(() => lm.commit([1, 1])).toThrow('commit: repeated index');
  });

  test('cache blocks stay logarithmic in the length (geometric merging)', async () => {
    await prefill([1]);
    let maxBlocks = 0;
    for (let i = 1; i < 300; i++) {
      await lm.forward([i % 512], [i]);
      lm.commit([0]);
      maxBlocks = Math.max(maxBlocks, lm.cacheBlockCount);
    }
    expect(lm.cacheLength).toBe(300);
    expect(maxBlocks).toBeLessThanOrEqual(Math.floor(Math.log(300) / Math.log(4)) + 1);
  });

  test('no tensor leaks: over 50 tree steps, tensors beyond the cache’s own blocks stay flat, and reset returns to baseline', async () => {
    const baseline = tf.memory().numTensors;
    const perBlock = 2 * lm.config.numLayers * lm.config.numKvHeads; // keys + values per layer and kv head
    await prefill(PROMPT);
    const counts: number[] = [];
    for (let step = 0; step < 50; step++) {
      const L = lm.cacheLength;
      await lm.forward([5, 6, 7, 8], [L, L + 1, L + 1, L + 2], Uint8Array.of(1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1));
      lm.commit(step % 2 ? [0, 1, 3] : [0, 2]);
      counts.push(tf.memory().numTensors - perBlock * lm.cacheBlockCount);
    }
    expect(new Set(counts)).toEqual(new Set([baseline]));
    lm.reset();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
