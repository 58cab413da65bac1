/**
 * The multi-threaded wasm build (model/wasm-threads.ts): the pool it reports, HF parity on it, results bit for bit
 * those of tfjs's single-threaded build, the count's checks, and a process on it that exits on its own.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../model/backend';
import { formatCheck, loadHfFixture, runHfChecks } from '../../model/hf-fixture';
import { loadModel } from '../../model/load';
import { MAX_WASM_THREADS, parseWasmThreads, setWasmThreads } from '../../model/wasm-threads';
import { seededValues } from './seeded-values';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');
const root = path.join(__dirname, '../..');

/** What each case computes on the active backend: matmuls of 1 … 64 rows (the lm_head's shapes), and a model's tree forward. */
async function outputs(): Promise<Float32Array[]> {
  const w = tf.tensor2d(seededValues(256 * 5000, 1), [256, 5000]);
  const mats = [1, 2, 4, 17, 64].map((m) => tf.tidy(() => tf.matMul(tf.tensor2d(seededValues(m * 256, m), [m, 256]), w).dataSync() as Float32Array));
  w.dispose();
  const lm = await loadModel(path.join(FIXTURES, 'tinystories-656k/model'), { backend: 'wasm' });
  await lm.forward([1, 300, 42, 7], [0, 1, 2, 3]);
  const tree = await lm.forward([5, 6, 7, 8], [4, 5, 5, 6], Uint8Array.from([1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1]));
  lm.dispose();
  return [...mats, tree];
}

afterAll(() => selectBackend('wasm', { wasmThreads: 1 }));

test('two threads: the pool has 2, the results equal one thread bit for bit, and the HF fixtures pass', async () => {
  expect((await selectBackend('wasm', { wasmThreads: 1 })).threads).toBe(1);
  const one = await outputs();
  const chosen = await selectBackend('wasm', { wasmThreads: 2 });
  expect([chosen.threads, getThreadsCount(), chosen.detail]).toEqual([2, 2, '@tensorflow/tfjs-backend-wasm, 2 thread(s)']);
  const two = await outputs();
  two.forEach((got, i) => expect(Buffer.from(got.buffer).equals(Buffer.from(one[i].buffer))).toBe(true));
  for (const name of ['llama-tiny', 'tinystories-656k']) {
    const fx = loadHfFixture(path.join(FIXTURES, name));
    const lm = await loadModel(fx.modelDir, { backend: 'wasm', wasmThreads: 2 });
    expect(lm.threads).toBe(2);
    expect(lm.headKernel).toBe('tfjs'); // the lm_head kernels run on one thread; XNNPACK splits the rows' work here
    for (const r of await runHfChecks(fx, lm, 1e-4)) if (!r.pass) throw new Error(`${name} on 2 threads: ${formatCheck(r)}`);
    lm.dispose();
  }
});

test.each([
  ['2', 2],
  [String(MAX_WASM_THREADS), MAX_WASM_THREADS],
  ['0', null],
  [String(MAX_WASM_THREADS + 1), null],
  ['1.5', null],
  ['two', null],
  ['', null],
])('parseWasmThreads(%j)', (value, want) => {
  if (want !== null) expect(parseWasmThreads(value, '--wasm-threads')).toBe(want);
  else expect(() => parseWasmThreads(value, '--wasm-threads')).toThrow(`--wasm-threads must be an integer from 1 to ${MAX_WASM_THREADS}, got '${value}'`);
});

test('a bad count is refused: from the API, and from FASTCODER_WASM_THREADS with its name', async () => {
  expect(() => setWasmThreads(0)).toThrow('wasm threads must be an integer from 1 to 8, got 0');
  process.env.FASTCODER_WASM_THREADS = 'many';
  try {
    await expect(selectBackend('wasm')).rejects.toThrow("FASTCODER_WASM_THREADS must be an integer from 1 to 8, got 'many'");
  } finally {
    delete process.env.FASTCODER_WASM_THREADS;
  }
});

describe('a process on two threads (child processes: jest keeps its own event loop alive)', () => {
  const run = (args: string[]) => spawnSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(__dirname, 'fixtures/threaded-wasm.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60000 });

  test('exits 0 on its own once its work is done (the pool\'s workers do not hold it)', () => {
    const r = run([]);
    expect([r.status, r.signal]).toEqual([0, null]);
    expect(r.stdout).toMatch(/^threads 2, logit -?\d+\.\d{4}$/m);
  });

  test('an error it throws is reported as Node reports it, not rethrown from inside the 60 kB build script', () => {
    const r = run(['throw']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Error: thrown after the forward/);
    expect(r.stderr.length).toBeLessThan(5000);
  });
});
