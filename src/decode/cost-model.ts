/**
 * The cost model of one verification step on this machine: milliseconds of a forward over `rows` tokens (the root and
 * `rows - 1` draft nodes, with the tree mask) plus the root row's argmax read back, the cost of each further row read
 * (one per accepted node), and of reading the first b rows' argmaxes at once instead (`readMs`: the lm_head over b rows in
 * one pass; tiny-coder-dsc on one core with the wasm kernels of model/wasm-head.ts: 1 / 2 / 3 / 4 / 8 rows = 0.8 / 0.9 /
 * 1.6 / 1.8 / 3.6 ms, where each further row read alone adds 0.8 ms). `--budget auto` (`budget.ts`) divides expected
 * tokens by it.
 *
 * Measured by `calibrate` on the loaded model, because the curve depends on the backend and the model's shape: on one
 * CPU core (tfjs-wasm) a 65-row forward costs 6-13 one-row forwards, by tf.matMul alone in steps of 4 rows (XNNPACK's
 * passes, which model/wasm-linear.ts smooths); on a GPU it is nearly flat.
 * A causal chain of each size, sizes interleaved in rounds, the median run of each size kept: the fastest run flatters
 * a small forward more than a large one (SmolLM-135M: fastest 35 / 55 ms at 1 / 4 rows, medians 46-50 / 57-65 during
 * decoding); `budget.ts` scales the curve online by the time steps actually take. One curve at each of two cache
 * lengths (`CONTEXTS`), because each row beyond the first attends to the whole cache: the cost of extra rows grows with
 * the context, and a step's cost is read at its own context between the two.
 * A profile is cached on disk per backend + model shape + host (`loadOrCalibrate`); a profile measured elsewhere
 * (another backend, shape or CPU) or by another tfjs / profile format is refused with a message naming the file.
 *
 * Example:
 *   const p = await calibrate(model, modelKey(model));
 *   stepMs(p, 4, 2, 300) // a forward over 4 rows (root + 3 nodes) at a 300-token cache that accepts 2 nodes: forwardMs(p, 4, 300) + 2 · rowMs
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { version_core as TFJS_VERSION } from '@tensorflow/tfjs-core';
import type { CausalLM } from '../../model/causal-lm';
import type { LlamaConfig } from '../../model/config';
import { verifyInputs } from '../../trie/draft-tree';
import { writeFileAtomic } from '../../util/atomic-file';
import { median, quantile } from '../../util/stats';

export const PROFILE_FORMAT = 12; // 12: the same for one row too (1- and 2-row forwards stream one copy of the weights); 11: the layers' projections by the wasm kernels at every row count but 1, 4 and 8 (model/wasm-linear.ts: those forwards got cheaper); 10: the same at counts not a multiple of 4; 9: lm_head reads by the wasm kernels (model/wasm-head.ts: 2 rows at about the cost of 1); 8: the KV cache written in place on wasm (commits run no op); 7: reads of several rows at once (readMs); 6: measured with the wasm slice kernels (model/wasm-slice.ts: tree forwards got cheaper); 5: curves at 128 and 512 cached tokens (4: at 512; 3: at 128; 2: fastest runs; 1: logits rows read back)
/** Forward sizes measured (rows = root + nodes): both sides of each 4-row step up to the paper's 64 + 1. */
export const CALIBRATION_ROWS: readonly number[] = [1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65];
/** The most rows whose argmaxes are measured (and may be read) at once: beyond 16 rows a batch costs more than the few rows the path reads. */
export const READ_ROWS = 17;
const BUSY_SPREAD = 0.15; // a calibration whose runs spread more than this is reported as measured on a busy machine
/**
 * Cache lengths of the two curves: a short prompt's (the oracle benchmarks cut prompts to 128) and the longest prompt
 * `bench --model` and the demo keep (fewer when the model's positions end sooner). A one-row forward barely moves with
 * the cache's length, but each further row attends to the whole cache: tiny-coder-dsc's 8 / 16 / 64-row forwards cost
 * 2.36 / 4.86 / 20.4 ms more than one row at a 128-token cache and 3.17 / 6.38 / 26.9 ms more at 640. With one curve
 * at 512, the SmolLM-135M shape's 4-row steps at a ~150-token context took 0.92-0.95 of its prediction and 1-row steps
 * 1.00, so `auto` chose too few nodes; with one at 128, it took trees too large for RepoEval's ~550-token contexts.
 */
export const CONTEXTS: readonly number[] = [128, 512];

/** What a profile was measured on; a profile is used only where every field matches. */
export interface ProfileKey {
  backend: string; // tfjs backend, or 'oracle'
  shape: string; // model shape (`modelShape`), or the oracle's simulated cost
  host: string; // CPU name, generation (`hostName`) × cores
  tfjs: string; // @tensorflow/tfjs-core version
}

/** What a forward costs by its number of rows, at one cache length. */
export interface CostCurve {
  context: number; // cache length the forwards ran on
  points: [number, number][]; // [rows, median ms] of forward + one argmax read (the root row, or all rows: verifyRows) + commit, rows ascending
}

export interface CostProfile {
  format: number; // PROFILE_FORMAT
  key: ProfileKey;
  curves: CostCurve[]; // context ascending (one for a flat or hand-made profile)
  spread: number; // the sizes' median of (interquartile range / median) of their runs: above ~0.1 the machine was busy
  rowMs: number; // median ms of one more row's argmax read back (0 when the model reads all rows at once)
  readMs: [number, number][]; // [rows, median ms] of one argmax read of that many rows at once, rows ascending up to READ_ROWS ([] when the model reads all rows at once)
  measuredAt: string; // ISO date
}

/** Example: modelShape(smollm) → 'llama L30 h576 i1536 H9/3x64 V49152 tied' */
export function modelShape(c: LlamaConfig): string {
  return `llama L${c.numLayers} h${c.hiddenSize} i${c.intermediateSize} H${c.numHeads}/${c.numKvHeads}x${c.headDim} V${c.vocabSize}${c.tieWordEmbeddings ? ' tied' : ''}`;
}

/** The key of this machine for a backend and shape. Example: profileKey('wasm', modelShape(cfg)).host → 'AMD EPYC (cpu family 25, model 17, stepping 1) x2' */
export function profileKey(backend: string, shape: string): ProfileKey {
  return { backend, shape, host: thisHost(), tfjs: TFJS_VERSION };
}

let host: string | undefined; // this process's host, read once: flatProfile and the keys ask for it often, and it cannot change

/** This machine's `hostName`. */
function thisHost(): string {
  if (host === undefined) {
    const cpus = os.cpus();
    host = hostName(cpus[0]?.model ?? 'unknown cpu', cpus.length, readCpuinfo());
  }
  return host;
}

/** /proc/cpuinfo's fields that tell one CPU generation from another: x86's family, model and stepping, Arm's implementer, part and variant. */
const CPU_ID_FIELDS = ['cpu family', 'model', 'stepping', 'CPU implementer', 'CPU part', 'CPU variant'];

/**
 * A host as profile keys name it: the CPU's name, the first processor's generation fields of /proc/cpuinfo where there
 * is one, and the core count. The name alone can hide the generation: this project's VM reports its Zen 4 (cpu family
 * 25, model 17) only as 'AMD EPYC', so a profile cached on one EPYC generation would be taken for another's.
 * Example: hostName('AMD EPYC', 2, 'processor\t: 0\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\nstepping\t: 1\n')
 *          → 'AMD EPYC (cpu family 25, model 17, stepping 1) x2'; hostName('Apple M2', 8, '') → 'Apple M2 x8'
 */
export function hostName(model: string, cores: number, cpuinfo: string): string {
  const first = cpuinfo.split(/\n\s*\n/)[0];
  const fields = CPU_ID_FIELDS.flatMap((name) => {
    const m = first.match(new RegExp(`^${name}\\s*:\\s*(\\S.*?)\\s*$`, 'm'));
    return m ? [`${name} ${m[1]}`] : [];
  });
  return `${model}${fields.length > 0 ? ` (${fields.join(', ')})` : ''} x${cores}`;
}

/** /proc/cpuinfo's text, '' where there is none (not Linux). */
function readCpuinfo(): string {
  try {
    return fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/**
 * The key of this machine for a loaded model: its backend, with the thread pool's size when wasm runs more than one
 * (a forward's cost curve changes with it), ' tfjs-head' when the lm_head kernels could run but are off (its reads
 * cost more: model/wasm-head.ts) and ' tfjs-linear' when the projections' kernels are (model/wasm-linear.ts), and its shape.
 * Example: modelKey(smollmOnTwoThreads).backend → 'wasm x2'; on one thread → 'wasm'; with LoadOptions.lmHead 'tfjs' → 'wasm tfjs-head'
 */
export function modelKey(model: { backend: string; threads: number; config: LlamaConfig; headKernel?: 'panels' | 'tfjs'; linearKernel?: 'panels' | 'tfjs' }): ProfileKey {
  const threads = model.threads > 1 ? ` x${model.threads}` : '';
  const oneThread = model.backend === 'wasm' && model.threads === 1;
  const head = oneThread && model.headKernel === 'tfjs' ? ' tfjs-head' : '';
  const linear = oneThread && model.linearKernel === 'tfjs' ? ' tfjs-linear' : '';
  return profileKey(`${model.backend}${threads}${head}${linear}`, modelShape(model.config));
}

/**
 * A flat profile: every forward costs `ms`, rows are free (the oracle's simulated cost, or a GPU's curve by hand).
 * Example: stepMs(flatProfile(20), 65, 10, 300) → 20
 */
export function flatProfile(ms: number): CostProfile {
  return { format: PROFILE_FORMAT, key: profileKey('oracle', `flat ${ms} ms`), curves: [{ context: 0, points: [[1, ms], [65, ms]] }], spread: 0, rowMs: 0, readMs: [], measuredAt: new Date().toISOString() };
}

/**
 * Milliseconds of a forward over `rows` tokens on one curve, interpolated linearly between measured sizes
 * (extrapolated from the last two beyond them). Example: points [[1, 10], [5, 30]] → curveMs(points, 3) = 20
 */
function curveMs(pts: readonly [number, number][], rows: number): number {
  let i = 1;
  while (i < pts.length - 1 && pts[i][0] < rows) i++;
  const [[r0, m0], [r1, m1]] = pts.length > 1 ? [pts[i - 1], pts[i]] : [pts[0], pts[0]];
  return r1 === r0 ? m0 : m0 + ((m1 - m0) * (rows - r0)) / (r1 - r0);
}

/**
 * Milliseconds of a forward over `rows` tokens with one row read on a cache of `context` entries: each curve at
 * `rows`, then linearly in the context between the two curves around it; the first curve's cost below its context,
 * and beyond the last, extrapolated from the last two (never falling: attention reads the whole cache).
 * Example: curves 100: [[1, 10], [5, 30]] and 500: [[1, 12], [5, 50]] → forwardMs(p, 3, 300) = (20 + 31) / 2 = 25.5,
 *          forwardMs(p, 3, 50) = 20, forwardMs(p, 3, 900) = 42
 */
export function forwardMs(p: CostProfile, rows: number, context: number): number {
  const c = p.curves;
  let i = 1;
  while (i < c.length - 1 && c[i].context < context) i++;
  if (c.length === 1 || context <= c[0].context) return curveMs(c[0].points, rows);
  const [m0, m1] = [curveMs(c[i - 1].points, rows), curveMs(c[i].points, rows)];
  const slope = Math.max(0, (m1 - m0) / (c[i].context - c[i - 1].context));
  return m0 + slope * (context - c[i - 1].context);
}

/**
 * A verification step over `rows` tokens at a `context`-token cache: the forward, the argmaxes of its first `batch` rows
 * read at once (1: the root's alone, as the curve measured it), and `rowReads` further rows read one at a time (the
 * accepted nodes beyond the batch). Example: curve [[1, 10], [5, 30]], rowMs 1.5, readMs [[1, 1], [4, 2]] →
 * stepMs(p, 3, 2, 0) = 20 + 2 · 1.5 = 23; stepMs(p, 3, 0, 0, 3) = 20 + (1.667 − 1) = 20.667
 */
export function stepMs(p: CostProfile, rows: number, rowReads: number, context: number, batch = 1): number {
  return forwardMs(p, rows, context) + batchMs(p, batch) + p.rowMs * rowReads;
}

/** Milliseconds more to read the argmaxes of the first `batch` rows at once than the root's alone. Example: readMs [[1, 1], [4, 2]] → batchMs(p, 3) = 0.667 */
export function batchMs(p: CostProfile, batch: number): number {
  return batch > 1 ? curveMs(p.readMs, batch) - curveMs(p.readMs, 1) : 0;
}

/** The most rows the profile says can be read at once (`readMs`), 1 when it measured no such reads. Example: readMs [[1, 1.4], [4, 2.4]] → 4 */
export function maxBatch(p: CostProfile): number {
  return p.readMs.length > 0 ? p.readMs[p.readMs.length - 1][0] : 1;
}

/** Calibration settings: untimed warm-up, then timed rounds for `targetMs` in all (at least `minRounds` per curve, at most `maxRounds`). */
interface CalibrationOptions {
  warmupMs?: number;
  targetMs?: number;
  minRounds?: number;
  maxRounds?: number;
}

/**
 * One line per profile: each curve's [rows:ms] at its cache length, the row read, and the reads of several rows at once.
 * Example: 'cache 128: 1:41.5 4:65.5 ms; cache 512: 1:42.0 4:70.1 ms; +3.93 ms per row read; at once 1:3.9 4:6.0 ms'
 */
export function describeProfile(p: CostProfile): string {
  const points = (pts: [number, number][]) => `${pts.map(([rows, ms]) => `${rows}:${ms.toFixed(1)}`).join(' ')} ms`;
  const curves = p.curves.map((c) => `cache ${c.context}: ${points(c.points)}`);
  return `${curves.join('; ')}; +${p.rowMs.toFixed(2)} ms per row read${p.readMs.length > 0 ? `; at once ${points(p.readMs)}` : ''}`;
}

/**
 * Measure `model`: one curve per cache length of CONTEXTS (the longer cut so that the longest chain's positions end
 * before the model's last; one curve at it when it is under twice the shorter, too close to tell a slope from noise).
 * The cache is filled to the shorter length, measured (`measureCurve`), filled on to the longer and measured again;
 * `targetMs` is shared between the two. Leaves the model reset.
 */
export async function calibrate(model: CausalLM, key: ProfileKey, o: CalibrationOptions = {}): Promise<CostProfile> {
  const { warmupMs = 500, targetMs = 6000, minRounds = 3, maxRounds = 40 } = o;
  const longest = Math.min(CONTEXTS[1], (model.maxPositions ?? Infinity) - CALIBRATION_ROWS[CALIBRATION_ROWS.length - 1]);
  const contexts = longest >= 2 * CONTEXTS[0] ? [CONTEXTS[0], longest] : [longest];
  model.reset();
  const runs: number[][] = [];
  const rowRuns: number[] = [];
  const readRuns = CALIBRATION_ROWS.map(() => [] as number[]); // both cache lengths: a read does not attend
  const curves: CostCurve[] = [];
  for (const [c, context] of contexts.entries()) {
    const positions = Array.from({ length: context - model.cacheLength }, (_, i) => model.cacheLength + i);
    await model.forwardHidden(positions.map((i) => calibrationToken(model, i)), positions);
    model.commit(positions.map((_, i) => i));
    const m = await measureCurve(model, { warmupMs: c === 0 ? warmupMs : 0, warmupRounds: c === 0 ? 2 : 1, targetMs: targetMs / contexts.length, minRounds, maxRounds });
    curves.push({ context, points: typicalPoints(m.runs) });
    runs.push(...m.runs);
    rowRuns.push(...m.rowRuns);
    m.readRuns.forEach((xs, s) => readRuns[s].push(...xs));
  }
  model.reset();
  const spread = median(runs.map((xs) => (quantile(xs, 0.75) - quantile(xs, 0.25)) / median(xs)));
  return { format: PROFILE_FORMAT, key, curves, spread, rowMs: rowRuns.length > 0 ? median(rowRuns) : 0, readMs: typicalPoints(readRuns), measuredAt: new Date().toISOString() };
}

/**
 * [rows, ms] for each size of CALIBRATION_ROWS that has runs (`runs[s]`: that size's), ms being the non-decreasing curve
 * nearest to the sizes' medians: more rows never cost less (capping each size at a larger one's cost instead made flat
 * stretches ending at the larger size, where auto then always took the larger).
 * Example: runs [[3], [5, 4, 6], [], [4]] → [[1, 3], [2, 4.5], [4, 4.5]]
 */
function typicalPoints(runs: readonly number[][]): [number, number][] {
  const measured = CALIBRATION_ROWS.map((rows, s): [number, number[]] => [rows, runs[s]]).filter(([, xs]) => xs.length > 0);
  const typical = nonDecreasing(measured.map(([, xs]) => median(xs)));
  return measured.map(([rows], i) => [rows, typical[i]]);
}

/** The token calibration feeds at position i (any valid id; the cost does not depend on it). Example: vocab 64: 0 → 1, 63 → 1 */
function calibrationToken(model: CausalLM, i: number): number {
  return 1 + (i % (model.vocabSize - 1));
}

/**
 * One curve at the model's current cache length: in rounds (sizes interleaved, so drift hits all alike) a forward over a
 * chain of each size with its tree mask + one logits row + commit, rolled back after each. Untimed rounds first
 * (`warmupRounds`, and for `warmupMs`: a fresh wasm process runs the first ~0.5 s of forwards 2-3x slower), then timed
 * rounds for `targetMs` (at least `minRounds`, at most `maxRounds`). Returns each size's runs, the runs of one more
 * row's argmax read, and per size up to READ_ROWS the runs of reading all its rows' argmaxes at once (none of the two
 * when the model reads all rows at once).
 */
async function measureCurve(model: CausalLM, o: Required<CalibrationOptions> & { warmupRounds: number }): Promise<{ runs: number[][]; rowRuns: number[]; readRuns: number[][] }> {
  const context = model.cacheLength;
  const chain = (rows: number) => {
    const n = rows - 1;
    return verifyInputs(calibrationToken(model, context), context, { tokens: Array.from({ length: n }, (_, i) => calibrationToken(model, context + 1 + i)), parents: Array.from({ length: n }, (_, i) => i - 1), depths: Array.from({ length: n }, (_, i) => i), weights: [], counts: { repo: [], common: [], cache: [], lookup: [] } });
  };
  const inputs = CALIBRATION_ROWS.map(chain);
  const all = model.verifyRows === 'all'; // the verify step reads every row's argmax in one go: no cost per accepted row
  const runs = CALIBRATION_ROWS.map(() => [] as number[]);
  const rowRuns: number[] = [];
  const readRuns = CALIBRATION_ROWS.map(() => [] as number[]);
  const warmupEnd = performance.now() + o.warmupMs;
  let timedFrom = 0;
  for (let round = 0, timed = 0; timed < o.maxRounds; round++) {
    const warming = round < o.warmupRounds || performance.now() < warmupEnd;
    if (!warming && timed++ === 0) timedFrom = performance.now();
    if (!warming && timed > o.minRounds && performance.now() - timedFrom >= o.targetMs) break;
    for (const [s, x] of inputs.entries()) {
      const t0 = performance.now();
      await model.forwardHidden(x.tokens, x.positions, x.mask);
      await model.argmax(all ? x.tokens.map((_, i) => i) : [0]); // as verify reads: every row at once, or the root's
      const t1 = performance.now();
      if (!all && x.tokens.length > 1) await model.argmax([1]); // one more row: what each accepted node adds
      const t2 = performance.now();
      const atOnce = !all && x.tokens.length <= READ_ROWS;
      if (atOnce) await model.argmax(x.tokens.map((_, i) => i)); // all its rows at once (`stepMs`'s batch)
      const t3 = performance.now();
      model.commit([0]);
      const t4 = performance.now();
      model.rollback(context);
      if (warming) continue;
      runs[s].push(t1 - t0 + (t4 - t3));
      if (!all && x.tokens.length > 1) rowRuns.push(t2 - t1);
      if (atOnce) readRuns[s].push(t3 - t2);
    }
  }
  return { runs, rowRuns, readRuns };
}

/**
 * The non-decreasing sequence nearest to `ys` in squared error (pool adjacent violators: a run that falls is replaced
 * by its mean). Example: nonDecreasing([1, 3, 2, 4]) → [1, 2.5, 2.5, 4]
 */
export function nonDecreasing(ys: readonly number[]): number[] {
  const blocks: { sum: number; n: number }[] = [];
  for (const y of ys) {
    blocks.push({ sum: y, n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].sum / blocks[blocks.length - 2].n > blocks[blocks.length - 1].sum / blocks[blocks.length - 1].n) {
      const last = blocks.pop()!;
      blocks[blocks.length - 1].sum += last.sum;
      blocks[blocks.length - 1].n += last.n;
    }
  }
  return blocks.flatMap((b) => Array.from({ length: b.n }, () => b.sum / b.n));
}

/** Why `p` (read from `file`) cannot be used for `key`, or null when it can. */
export function profileMismatch(p: CostProfile, key: ProfileKey, file: string): string | null {
  if (p.format !== PROFILE_FORMAT) return `${file}: stale cost profile (format ${p.format}, this version writes ${PROFILE_FORMAT})`;
  if (p.key.tfjs !== key.tfjs) return `${file}: stale cost profile (measured with tfjs ${p.key.tfjs}, this run uses ${key.tfjs})`;
  for (const field of ['backend', 'shape', 'host'] as const) {
    if (p.key[field] !== key[field]) return `${file}: cost profile of another ${field} ('${p.key[field]}', this run: '${key[field]}')`;
  }
  return null;
}

/** Whether `xs` is a non-empty array whose items pass `ok` with `at(item)` strictly ascending. Example: ascending([1, 3], (x) => x > 0, (x) => x) → true */
function ascending<T>(xs: unknown, ok: (x: T) => boolean, at: (x: T) => number): boolean {
  return Array.isArray(xs) && xs.length > 0 && xs.every((x, i) => ok(x) && (i === 0 || at(x) > at(xs[i - 1])));
}

/** Read a profile file; errors name the file and the problem (one of another format is returned as it is, for `profileMismatch` to call stale). */
export function readProfile(file: string): CostProfile {
  let p: CostProfile;
  try {
    p = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read cost profile (${(e as Error).message})`);
  }
  const point = (x: [number, number]) => Array.isArray(x) && x.length === 2 && x.every((v) => Number.isFinite(v) && v >= 0);
  const curve = (c: CostCurve) => typeof c === 'object' && c !== null && Number.isFinite(c.context) && ascending(c.points, point, (x) => x[0]);
  const keyed = typeof p === 'object' && p !== null && Number.isInteger(p.format) && typeof p.key === 'object' && p.key !== null;
  const reads = (r: unknown) => Array.isArray(r) && (r.length === 0 || ascending(r, point, (x) => x[0]));
  if (!keyed || (p.format === PROFILE_FORMAT && !(ascending(p.curves, curve, (c) => c.context) && Number.isFinite(p.rowMs) && p.rowMs >= 0 && reads(p.readMs)))) {
    throw new Error(`${file}: not a cost profile (expected format, key, curves [{ context, points [[rows, ms], ...] }] with contexts and rows ascending, rowMs, readMs [[rows, ms], ...] with rows ascending)`);
  }
  return p;
}

export function writeProfile(file: string, p: CostProfile): void {
  writeFileAtomic(file, JSON.stringify(p, null, 1) + '\n');
}

/** Default cache file of a key: `<dir>/<backend>-<hash of shape + host + tfjs>.json`. */
export function profilePath(dir: string, key: ProfileKey): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  return path.join(dir, `${key.backend}-${hash}.json`);
}

/**
 * The profile of `model` for `key`: from `file` if given (refused with an error if stale or foreign; calibrated and
 * saved there if absent), else from the cache `dir` (a stale or foreign cached profile is reported through `log`,
 * recalibrated and overwritten).
 *
 * Example: await loadOrCalibrate(model, profileKey('wasm', modelShape(cfg)), { dir: '.cache/cost-profiles', log: console.error })
 */
export async function loadOrCalibrate(model: CausalLM, key: ProfileKey, o: { file?: string; dir?: string; log?: (msg: string) => void } = {}): Promise<CostProfile> {
  const log = o.log ?? (() => {});
  const file = o.file ?? profilePath(o.dir ?? '.cache/cost-profiles', key);
  if (fs.existsSync(file)) {
    const p = readProfile(file);
    const why = profileMismatch(p, key, file);
    if (!why) return p;
    if (o.file) throw new Error(`${why}; delete it or give another --cost-profile`);
    log(`${why}: recalibrating`);
  }
  const t0 = performance.now();
  const p = await calibrate(model, key);
  const busy = p.spread > BUSY_SPREAD ? `; runs of one size spread by ${(100 * p.spread).toFixed(0)} % (a busy machine): delete the file to calibrate again when it is quieter` : '';
  log(`cost profile: calibrated in ${((performance.now() - t0) / 1000).toFixed(1)} s, saved to ${file}${busy}`);
  writeProfile(file, p);
  return p;
}
