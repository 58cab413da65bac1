import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../model/config';
import { calibrate, CALIBRATION_ROWS, CONTEXTS, type CostProfile, describeProfile, flatProfile, forwardMs, hostName, loadOrCalibrate, maxBatch, modelKey, modelShape, nonDecreasing, PROFILE_FORMAT, profileKey, profileMismatch, profilePath, READ_ROWS, readProfile, stepMs, writeProfile } from '../../src/decode/cost-model';
import { createOracle } from '../../src/decode/oracle';

const hand = (points: [number, number][], rowMs = 0): CostProfile => ({ format: PROFILE_FORMAT, key: profileKey('test', 'hand'), curves: [{ context: 0, points }], spread: 0, rowMs, readMs: [], measuredAt: '' });
/** An oracle whose forward sleeps 2 ms + 0.25 ms per input token: a known cost curve to calibrate against. */
const sleeper = () => createOracle([5, 6, 7], { vocabSize: 64, prompt: [1, 2], eosId: 0, costMs: 2, costPerTokenMs: 0.25 });
/** The sleeper, with `extraMs` more on the forwards (counted from 0) for which `slow(call)`: a machine that is busy by turns. */
const busySleeper = (slow: (call: number) => boolean, extraMs: number) => {
  const lm = sleeper();
  const forwardHidden = lm.forwardHidden.bind(lm);
  let calls = 0;
  lm.forwardHidden = async (...args) => {
    if (slow(calls++)) await new Promise((resolve) => setTimeout(resolve, extraMs));
    return forwardHidden(...args);
  };
  return lm;
};
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fc-cost-'));

/**
 * Calibrate an oracle in virtual time (deterministic): `performance.now` advances only by `forwardMs(rows, cache)` per
 * forward, called in the calibration's order, and by `readMs(rows)` per argmax read of that many rows; `rounds` timed
 * rounds per curve, no warm-up.
 */
async function calibrateInVirtualTime(forwardMs: (rows: number, cacheLength: number) => number, rounds: number, readMs: (rows: number) => number = () => 0): Promise<CostProfile> {
  const realNow = performance.now;
  let clock = 0;
  performance.now = () => clock;
  try {
    const lm = createOracle([5, 6, 7], { vocabSize: 64, prompt: [1, 2], eosId: 0 });
    const forwardHidden = lm.forwardHidden.bind(lm);
    lm.forwardHidden = async (tokens, ...rest) => {
      clock += forwardMs(tokens.length, lm.cacheLength);
      return forwardHidden(tokens, ...rest);
    };
    const argmax = lm.argmax.bind(lm);
    lm.argmax = async (rows) => {
      clock += readMs(rows.length);
      return argmax(rows);
    };
    return await calibrate(lm, profileKey('oracle', 'virtual'), { warmupMs: 0, targetMs: 0, minRounds: rounds, maxRounds: rounds });
  } finally {
    performance.now = realNow;
  }
}

describe('cost model', () => {
  test.each([
    [1, 10], [3, 20], [5, 30], [7, 40], // between and beyond [1, 10], [5, 30]: extrapolated from the last two
  ])('forwardMs interpolates linearly: rows %d → %d ms', (rows, ms) => {
    for (const context of [0, 300, 5000]) expect(forwardMs(hand([[1, 10], [5, 30]]), rows, context)).toBeCloseTo(ms, 10); // one curve: any cache
  });

  const twoCaches: CostProfile = { ...hand([]), curves: [{ context: 100, points: [[1, 10], [5, 30]] }, { context: 500, points: [[1, 12], [5, 50]] }] };
  test.each([
    [3, 100, 20], [3, 300, 25.5], [3, 500, 31], // at and between the curves: linear in the cache length
    [3, 50, 20], [3, 900, 42], // below the first: the first; beyond the last: extrapolated from the two
    [1, 700, 13], [7, 300, 54.5], // 7 rows: 40 and 69, each curve extrapolated in rows
  ])('forwardMs with two curves: %d rows at a %d-token cache → %d ms', (rows, context, ms) => {
    expect(forwardMs(twoCaches, rows, context)).toBeCloseTo(ms, 10);
  });

  test('forwardMs beyond the last curve never falls when the longer cache measured less (noise)', () => {
    const falling: CostProfile = { ...hand([]), curves: [{ context: 100, points: [[1, 10]] }, { context: 500, points: [[1, 9]] }] };
    expect(forwardMs(falling, 1, 2000)).toBe(10);
  });

  test('stepMs adds one row read per accepted node; a flat profile is flat', () => {
    expect(stepMs(hand([[1, 10], [5, 30]], 1.5), 3, 2, 0)).toBeCloseTo(23, 10);
    const reads = { ...hand([[1, 10], [5, 30]], 1.5), readMs: [[1, 1], [4, 2]] as [number, number][] };
    expect(stepMs(reads, 3, 0, 0, 3)).toBeCloseTo(20 + (5 / 3 - 1), 10); // rows 0-2 at once in place of the root's read
    expect(stepMs(reads, 3, 1, 0, 2)).toBeCloseTo(20 + (4 / 3 - 1) + 1.5, 10); // rows 0-1 at once, then one row alone
    expect([maxBatch(reads), maxBatch(hand([[1, 10]]))]).toEqual([4, 1]);
    expect(stepMs(flatProfile(20), 65, 10, 300)).toBe(20);
    expect(forwardMs(flatProfile(20), 200, 300)).toBe(20);
  });

  test('describeProfile names every curve, the row read and the reads at once', () => {
    expect(describeProfile({ ...twoCaches, rowMs: 1.5 })).toBe('cache 100: 1:10.0 5:30.0 ms; cache 500: 1:12.0 5:50.0 ms; +1.50 ms per row read');
    expect(describeProfile({ ...twoCaches, rowMs: 1.5, readMs: [[1, 1.4], [4, 2.4]] })).toBe('cache 100: 1:10.0 5:30.0 ms; cache 500: 1:12.0 5:50.0 ms; +1.50 ms per row read; at once 1:1.4 4:2.4 ms');
  });

  test.each([
    [[1, 3, 2, 4], [1, 2.5, 2.5, 4]],
    [[5, 1, 1, 1], [2, 2, 2, 2]], // one spike on the smallest size is spread over the run, not copied down from it
    [[1, 2, 3], [1, 2, 3]],
    [[4, 6, 5, 3, 9], [4, 14 / 3, 14 / 3, 14 / 3, 9]],
  ])('nonDecreasing(%j) = %j, the nearest non-decreasing curve', (ys, expected) => {
    const got = nonDecreasing(ys);
    got.forEach((y, i) => expect(y).toBeCloseTo(expected[i], 12));
  });

  test('nonDecreasing is never farther from the data than any other non-decreasing curve (random cases, brute force)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const sse = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);
    for (let c = 0; c < 200; c++) {
      const ys = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * 5));
      const fit = nonDecreasing(ys);
      for (let i = 1; i < fit.length; i++) expect(fit[i]).toBeGreaterThanOrEqual(fit[i - 1] - 1e-12);
      // every non-decreasing curve on the grid 0, 0.25, ..., 4 does no better
      const grid = Array.from({ length: 17 }, (_, i) => i / 4);
      const best = (i: number, floor: number): number => (i === ys.length ? 0 : Math.min(...grid.filter((g) => g >= floor).map((g) => (ys[i] - g) ** 2 + best(i + 1, g))));
      if (ys.length <= 4) expect(sse(ys, fit)).toBeLessThanOrEqual(best(0, 0) + 1e-9);
    }
  });

  const zen4 = 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\nstepping\t: 1\n\nprocessor\t: 1\ncpu family\t: 99\n';
  const arm = 'processor\t: 0\nBogoMIPS\t: 243.75\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: 0xd0c\n';
  test.each([
    ['x86: family, model and stepping of the first processor', 'AMD EPYC', 2, zen4, 'AMD EPYC (cpu family 25, model 17, stepping 1) x2'],
    ['x86 without a stepping line', 'AMD EPYC', 2, 'cpu family\t: 23\nmodel\t\t: 49\nmodel name\t: AMD EPYC\n', 'AMD EPYC (cpu family 23, model 49) x2'],
    ['Arm: implementer, part and variant', 'unknown cpu', 4, arm, 'unknown cpu (CPU implementer 0x41, CPU part 0xd0c, CPU variant 0x1) x4'],
    ['no /proc/cpuinfo (macOS, Windows)', 'Apple M2', 8, '', 'Apple M2 x8'],
  ])('hostName: %s', (_, model, cores, cpuinfo, host) => {
    expect(hostName(model, cores, cpuinfo)).toBe(host);
  });

  test('two EPYC generations under one model name get different keys, so a profile of one is refused on the other', () => {
    const zen2 = zen4.replace('cpu family\t: 25\nmodel\t\t: 17', 'cpu family\t: 23\nmodel\t\t: 49');
    const key = { ...profileKey('wasm', 'llama L4'), host: hostName('AMD EPYC', 2, zen4) };
    const p = { ...hand([[1, 1]]), key: { ...key, host: hostName('AMD EPYC', 2, zen2) } };
    expect(profileMismatch(p, key, 'p.json')).toBe("p.json: cost profile of another host ('AMD EPYC (cpu family 23, model 49, stepping 1) x2', this run: 'AMD EPYC (cpu family 25, model 17, stepping 1) x2')");
  });

  test('modelShape names every dimension that sets the cost', () => {
    const c = parseConfig({ model_type: 'llama', hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, tie_word_embeddings: true }, 'test');
    expect(modelShape(c)).toBe('llama L30 h576 i1536 H9/3x64 V49152 tied');
  });

  test('calibrate measures a known curve (2 ms + 0.25 ms per token) and leaves the model reset', async () => {
    const lm = sleeper();
    const p = await calibrate(lm, profileKey('oracle', 'sleeper'), { warmupMs: 0, targetMs: 0, minRounds: 2 });
    expect(p.curves.map((c) => c.context)).toEqual(CONTEXTS);
    for (const { points } of p.curves) {
      expect(points.map(([r]) => r)).toEqual(CALIBRATION_ROWS);
      for (const [rows, ms] of points) {
        expect(ms).toBeGreaterThanOrEqual(2 + 0.25 * rows - 1.5); // timers fire at most ~1 ms early
        expect(ms).toBeLessThan(2 + 0.25 * rows + 25); // and late only by the machine's load
      }
      expect(points[points.length - 1][1]).toBeGreaterThan(points[0][1] + 8); // 65 rows: +16 ms
    }
    expect(lm.cacheLength).toBe(0);
  });

  test.each([
    [undefined, [128, 512]],
    [400, [128, 335]], // the longer cache cut so that the longest chain ends at the last position
    [300, [235]], // the longer under twice the shorter: one curve
    [200, [135]],
  ])('calibrate runs at 128- and 512-token caches, fewer when the model has fewer positions (max %s → %j)', async (maxPositions, contexts) => {
    const lm = createOracle([5, 6, 7], { vocabSize: 64, prompt: [1, 2], eosId: 0 });
    if (maxPositions) Object.defineProperty(lm, 'maxPositions', { value: maxPositions });
    let last = 0;
    const forwardHidden = lm.forwardHidden.bind(lm);
    lm.forwardHidden = async (tokens, positions, ...rest) => {
      last = Math.max(last, ...Array.from(positions));
      return forwardHidden(tokens, positions, ...rest);
    };
    const p = await calibrate(lm, profileKey('oracle', 'positions'), { warmupMs: 0, targetMs: 0, minRounds: 1, maxRounds: 1 });
    expect([p.curves.map((c) => c.context), last]).toEqual([contexts, contexts[contexts.length - 1] + 64]);
  });

  test('a cost that grows with the cache (each row attends to it) is read back at any cache length', async () => {
    // a forward over n rows on a cache of L entries takes 2 + 0.25 n + 0.01 n L ms
    const p = await calibrateInVirtualTime((rows, cache) => 2 + 0.25 * rows + 0.01 * rows * cache, 1);
    for (const context of [128, 300, 512, 2000]) {
      for (const rows of [1, 4, 9, 65]) expect(forwardMs(p, rows, context)).toBeCloseTo(2 + 0.25 * rows + 0.01 * rows * context, 9);
    }
  });

  test('calibrate measures the reads of up to READ_ROWS rows at once, one more row read alone, and the root read with the forward', async () => {
    // a read of r rows at once costs 1 + 0.5 ⌈r / 4⌉ ms (a 4-row matmul pass), a forward over n rows 2 + 0.25 n
    const read = (r: number) => 1 + 0.5 * Math.ceil(r / 4);
    const p = await calibrateInVirtualTime((rows) => 2 + 0.25 * rows, 1, read);
    expect(p.readMs).toEqual(CALIBRATION_ROWS.filter((r) => r <= READ_ROWS).map((r) => [r, read(r)]));
    expect(p.rowMs).toBe(1.5);
    for (const { points } of p.curves) for (const [rows, ms] of points) expect(ms).toBeCloseTo(2 + 0.25 * rows + 1.5, 9);
  });

  test('calibrate measures no reads at once for a model that reads every row anyway (a GPU)', async () => {
    const lm = createOracle([5, 6, 7], { vocabSize: 64, prompt: [1, 2], eosId: 0 });
    Object.defineProperty(lm, 'verifyRows', { value: 'all' });
    const p = await calibrate(lm, profileKey('oracle', 'all rows'), { warmupMs: 0, targetMs: 0, minRounds: 1, maxRounds: 1 });
    expect([p.readMs, p.rowMs]).toEqual([[], 0]);
  });

  test('calibrate keeps the median run of each size, not the fastest (which flatters small forwards)', async () => {
    // a forward over n rows takes 2 + 0.25 n ms, and two forwards in three 8 ms more; over 3 timed rounds of 13 sizes
    // (13 ≡ 1 mod 3) each size gets one fast run and two slow
    let calls = 0;
    const p = await calibrateInVirtualTime((rows) => 2 + 0.25 * rows + (calls++ % 3 !== 0 ? 8 : 0), 3);
    for (const { points } of p.curves) for (const [rows, ms] of points) expect(ms).toBeCloseTo(2 + 0.25 * rows + 8, 9); // the median: a slow run
    // runs [f, f + 8, f + 8]: interquartile range 4 over the median f + 8; the sizes' median, 9 rows: 4 / 12.25
    expect(p.spread).toBeCloseTo(4 / 12.25, 9);
  });

  test('loadOrCalibrate says when the runs spread as on a busy machine, and how to calibrate again', async () => {
    const lm = busySleeper((call) => call % 2 === 0, 10);
    const log: string[] = [];
    await loadOrCalibrate(lm, profileKey('oracle', 'busy'), { file: path.join(tmp(), 'p.json'), log: (m) => log.push(m) });
    expect(log.join('\n')).toMatch(/runs of one size spread by \d+ % \(a busy machine\): delete the file to calibrate again/);
  });

  test.each([
    ['format', (p: CostProfile) => ({ ...p, format: 0 }), 'stale cost profile (format 0'],
    ['tfjs', (p: CostProfile) => ({ ...p, key: { ...p.key, tfjs: '0.0.1' } }), 'stale cost profile (measured with tfjs 0.0.1'],
    ['backend', (p: CostProfile) => ({ ...p, key: { ...p.key, backend: 'tensorflow' } }), "cost profile of another backend ('tensorflow', this run: 'wasm')"],
    ['shape', (p: CostProfile) => ({ ...p, key: { ...p.key, shape: 'other' } }), 'cost profile of another shape'],
    ['host', (p: CostProfile) => ({ ...p, key: { ...p.key, host: 'another cpu x64' } }), 'cost profile of another host'],
  ])('a profile with another %s is refused, naming the file', (_, change, message) => {
    const key = profileKey('wasm', 'llama L4');
    const p = { ...hand([[1, 1]]), key };
    expect(profileMismatch(p, key, 'p.json')).toBeNull();
    expect(profileMismatch(change(p), key, 'p.json')).toContain(`p.json: ${message}`);
  });

  test('modelKey: a wasm pool of more than one thread is part of the backend, so a one-thread profile is refused on two', () => {
    const config = parseConfig({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 4, intermediate_size: 176, vocab_size: 512 }, 'test');
    const one = modelKey({ backend: 'wasm', threads: 1, config });
    const two = modelKey({ backend: 'wasm', threads: 2, config });
    expect([one.backend, two.backend, two.shape]).toEqual(['wasm', 'wasm x2', modelShape(config)]);
    expect(profileMismatch({ ...hand([[1, 1]]), key: one }, two, 'p.json')).toBe("p.json: cost profile of another backend ('wasm', this run: 'wasm x2')");
    expect(profilePath('d', one)).not.toBe(profilePath('d', two));
  });

  test.each([
    ['wasm', 1, 'panels', 'panels', 'wasm'],
    ['wasm', 1, 'tfjs', 'panels', 'wasm tfjs-head'], // the kernels could run but are off: the reads cost more
    ['wasm', 1, 'panels', 'tfjs', 'wasm tfjs-linear'], // the projections' kernels off: 2-, 3-, 5-row forwards cost more
    ['wasm', 1, 'tfjs', 'tfjs', 'wasm tfjs-head tfjs-linear'],
    ['wasm', 2, 'tfjs', 'tfjs', 'wasm x2'], // the threaded build never has them
    ['webgpu', 1, 'tfjs', 'tfjs', 'webgpu'],
  ] as const)('modelKey: %s on %i thread(s), the lm_head by %s and the projections by %s → backend %s', (backend, threads, headKernel, linearKernel, want) => {
    const config = parseConfig({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 4, intermediate_size: 176, vocab_size: 512 }, 'test');
    expect(modelKey({ backend, threads, config, headKernel, linearKernel }).backend).toBe(want);
  });

  test('loadOrCalibrate: --cost-profile is saved when absent, reused when it fits, refused when foreign', async () => {
    const dir = tmp();
    const file = path.join(dir, 'profile.json');
    const key = profileKey('oracle', 'sleeper');
    const first = await loadOrCalibrate(sleeper(), key, { file });
    expect(readProfile(file)).toEqual(first);
    expect(await loadOrCalibrate(sleeper(), key, { file })).toEqual(first); // read back, not measured again
    await expect(loadOrCalibrate(sleeper(), { ...key, shape: 'other' }, { file })).rejects.toThrow(`${file}: cost profile of another shape ('sleeper', this run: 'other'); delete it or give another --cost-profile`);
  });

  test('loadOrCalibrate: a profile of the previous format (one curve as `points`) in the cache directory is called stale and replaced', async () => {
    const dir = tmp();
    const key = profileKey('oracle', 'sleeper');
    const file = profilePath(dir, key);
    fs.writeFileSync(file, JSON.stringify({ format: 4, key, context: 512, points: [[1, 999]], spread: 0, rowMs: 0, measuredAt: '' }));
    const log: string[] = [];
    const p = await loadOrCalibrate(sleeper(), key, { dir, log: (m) => log.push(m) });
    expect(log[0]).toContain(`${file}: stale cost profile (format 4, this version writes ${PROFILE_FORMAT})`);
    expect(readProfile(file)).toEqual(p);
  });

  test('loadOrCalibrate: a stale profile in the cache directory is reported and replaced', async () => {
    const dir = tmp();
    const key = profileKey('oracle', 'sleeper');
    const file = profilePath(dir, key);
    writeProfile(file, { ...hand([[1, 999]]), key: { ...key, tfjs: '0.0.1' } });
    const log: string[] = [];
    const p = await loadOrCalibrate(sleeper(), key, { dir, log: (m) => log.push(m) });
    expect(log[0]).toContain(`${file}: stale cost profile (measured with tfjs 0.0.1`);
    expect(p.curves[0].points[0][1]).toBeLessThan(999);
    expect(readProfile(file).key).toEqual(key);
  });

  test.each([
    ['not JSON', '{', 'cannot read cost profile'],
    ['no format', JSON.stringify({ key: {}, curves: [{ context: 0, points: [[1, 1]] }], rowMs: 0, readMs: [] }), 'not a cost profile'],
    ['no curves', JSON.stringify({ format: PROFILE_FORMAT, key: {}, curves: [], rowMs: 0, readMs: [] }), 'not a cost profile'],
    ['no points', JSON.stringify({ format: PROFILE_FORMAT, key: {}, curves: [{ context: 0, points: [] }], rowMs: 0, readMs: [] }), 'not a cost profile'],
    ['rows not ascending', JSON.stringify({ format: PROFILE_FORMAT, key: {}, curves: [{ context: 0, points: [[2, 1], [1, 1]] }], rowMs: 0, readMs: [] }), 'not a cost profile'],
    ['contexts not ascending', JSON.stringify({ format: PROFILE_FORMAT, key: {}, curves: [{ context: 512, points: [[1, 1]] }, { context: 128, points: [[1, 1]] }], rowMs: 0, readMs: [] }), 'not a cost profile'],
    ['negative ms', JSON.stringify({ format: PROFILE_FORMAT, key: {}, curves: [{ context: 0, points: [[1, -1]] }], rowMs: 0, readMs: [] }), 'not a cost profile'],
    ['no readMs', JSON.stringify({ format: PROFILE_FORMAT, key: {}, curves: [{ context: 0, points: [[1, 1]] }], rowMs: 0 }), 'not a cost profile'],
    ['readMs rows not ascending', JSON.stringify({ format: PROFILE_FORMAT, key: {}, curves: [{ context: 0, points: [[1, 1]] }], rowMs: 0, readMs: [[4, 2], [1, 1]] }), 'not a cost profile'],
  ])('readProfile refuses %s, naming the file', (_, text, message) => {
    const file = path.join(tmp(), 'bad.json');
    fs.writeFileSync(file, text);
    expect(() => readProfile(file)).toThrow(`${file}: ${message}`);
  });
});
