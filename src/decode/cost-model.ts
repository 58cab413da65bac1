/**
 * The cost model of one verification step on this machine: milliseconds of a forward over `rows` tokens (the root and
 * `rows - 1` draft nodes, with the tree mask) plus the root row's argmax read back, and the cost of each further row read
 * (one per accepted node). `--budget auto` (`budget.ts`) divides expected tokens by it.
 *
 * Measured by `calibrate` on the loaded model, because the curve depends on the backend and the model's shape: on one
 * CPU core (tfjs-wasm) a 65-row forward costs ~13 one-row forwards and steps every 4 rows; on a GPU it is nearly flat.
 * A causal chain of each size at a fixed context, sizes interleaved in rounds, the median run of each size kept: the
 * fastest run flatters a small forward more than a large one (SmolLM-135M: fastest 35 / 55 ms at 1 / 4 rows, medians
 * 46-50 / 57-65 during decoding); `budget.ts` scales the curve online by the time steps actually take.
 * A profile is cached on disk per backend + model shape + host (`loadOrCalibrate`); a profile measured elsewhere
 * (another backend, shape or CPU) or by another tfjs / profile format is refused with a message naming the file.
 *
 * Example:
 *   const p = await calibrate(model, profileKey(model.backend, modelShape(model.config)));
 *   stepMs(p, 4, 2) // a forward over 4 rows (root + 3 nodes) that accepts 2 nodes: points(4) + 2 · rowMs
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

export const PROFILE_FORMAT = 4; // 4: at a 512-token cache (3: at 128; 2: fastest runs; 1: logits rows read back)
/** Forward sizes measured (rows = root + nodes): both sides of each 4-row step up to the paper's 64 + 1. */
export const CALIBRATION_ROWS: readonly number[] = [1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65];
const BUSY_SPREAD = 0.15; // a calibration whose runs spread more than this is reported as measured on a busy machine
/**
 * Cache length during calibration: the longest prompt `bench --model` and the demo keep. A one-row forward barely moves
 * with the cache's length, but each further row attends to the whole cache: tiny-coder-dsc's 8 / 16 / 64-row forwards
 * cost 2.36 / 4.86 / 20.4 ms more than one row at a 128-token cache and 3.17 / 6.38 / 26.9 ms more at 640. Calibrated
 * at 128, `auto` took trees too large for RepoEval's ~550-token contexts.
 */
const CONTEXT = 512;

/** What a profile was measured on; a profile is used only where every field matches. */
export interface ProfileKey {
  backend: string; // tfjs backend, or 'oracle'
  shape: string; // model shape (`modelShape`), or the oracle's simulated cost
  host: string; // CPU model × cores
  tfjs: string; // @tensorflow/tfjs-core version
}

export interface CostProfile {
  format: number; // PROFILE_FORMAT
  key: ProfileKey;
  context: number; // cache length the forwards ran on
  points: [number, number][]; // [rows, median ms] of forward + one argmax read (the root row, or all rows: verifyRows) + commit, rows ascending
  spread: number; // the sizes' median of (interquartile range / median) of their runs: above ~0.1 the machine was busy
  rowMs: number; // median ms of one more row's argmax read back (0 when the model reads all rows at once)
  measuredAt: string; // ISO date
}

/** Example: modelShape(smollm) → 'llama L30 h576 i1536 H9/3x64 V49152 tied' */
export function modelShape(c: LlamaConfig): string {
  return `llama L${c.numLayers} h${c.hiddenSize} i${c.intermediateSize} H${c.numHeads}/${c.numKvHeads}x${c.headDim} V${c.vocabSize}${c.tieWordEmbeddings ? ' tied' : ''}`;
}

/** The key of this machine for a backend and shape. Example: profileKey('wasm', modelShape(cfg)).host → 'AMD EPYC ... x2' */
export function profileKey(backend: string, shape: string): ProfileKey {
  const cpus = os.cpus();
  return { backend, shape, host: `${cpus[0]?.model ?? 'unknown cpu'} x${cpus.length}`, tfjs: TFJS_VERSION };
}

/**
 * A flat profile: every forward costs `ms`, rows are free (the oracle's simulated cost, or a GPU's curve by hand).
 * Example: stepMs(flatProfile(20), 65, 10) → 20
 */
export function flatProfile(ms: number): CostProfile {
  return { format: PROFILE_FORMAT, key: profileKey('oracle', `flat ${ms} ms`), context: 0, points: [[1, ms], [65, ms]], spread: 0, rowMs: 0, measuredAt: new Date().toISOString() };
}

/**
 * Milliseconds of a forward over `rows` tokens with one row read, interpolated linearly between measured sizes
 * (extrapolated from the last two beyond them). Example: points [[1, 10], [5, 30]] → forwardMs(p, 3) = 20
 */
export function forwardMs(p: CostProfile, rows: number): number {
  const pts = p.points;
  let i = 1;
  while (i < pts.length - 1 && pts[i][0] < rows) i++;
  const [[r0, m0], [r1, m1]] = pts.length > 1 ? [pts[i - 1], pts[i]] : [pts[0], pts[0]];
  return r1 === r0 ? m0 : m0 + ((m1 - m0) * (rows - r0)) / (r1 - r0);
}

/** A verification step over `rows` tokens accepting `accepted` nodes (each one more logits row read). */
export function stepMs(p: CostProfile, rows: number, accepted: number): number {
  return forwardMs(p, rows) + p.rowMs * accepted;
}

/**
 * Measure `model`: prefill CONTEXT tokens (fewer if the model's positions end before CONTEXT + 65), then in rounds
 * (sizes interleaved, so drift hits all alike) a forward over a chain of each size with its tree mask + one logits row
 * + commit, rolled back after each; the median run of each size is kept. Untimed rounds first, at least 2 and for `warmupMs` (a fresh wasm process runs the first ~0.5 s of forwards
 * 2-3x slower), then timed rounds for `targetMs` (at least `minRounds`, at most `maxRounds`). Leaves the model reset.
 */
export async function calibrate(model: CausalLM, key: ProfileKey, o: { warmupMs?: number; targetMs?: number; minRounds?: number; maxRounds?: number } = {}): Promise<CostProfile> {
  const { warmupMs = 500, targetMs = 3000, minRounds = 3, maxRounds = 40 } = o;
  const token = (i: number) => 1 + (i % (model.vocabSize - 1));
  model.reset();
  const context = Math.min(CONTEXT, (model.maxPositions ?? Infinity) - CALIBRATION_ROWS[CALIBRATION_ROWS.length - 1]); // the longest chain's positions end before maxPositions
  const positions = Array.from({ length: context }, (_, i) => i);
  await model.forwardHidden(positions.map(token), positions);
  model.commit(positions);
  const chain = (rows: number) => {
    const n = rows - 1;
    return verifyInputs(token(context), context, { tokens: Array.from({ length: n }, (_, i) => token(context + 1 + i)), parents: Array.from({ length: n }, (_, i) => i - 1), depths: Array.from({ length: n }, (_, i) => i), weights: [], counts: { repo: [], common: [], cache: [], lookup: [] } });
  };
  const inputs = CALIBRATION_ROWS.map(chain);
  const all = model.verifyRows === 'all'; // the verify step reads every row's argmax in one go: no cost per accepted row
  const samples = CALIBRATION_ROWS.map(() => [] as number[]);
  const rowSamples: number[] = [];
  const warmupEnd = performance.now() + warmupMs;
  let timedFrom = 0;
  for (let round = 0, timed = 0; timed < maxRounds; round++) {
    const warming = round < 2 || performance.now() < warmupEnd;
    if (!warming && timed++ === 0) timedFrom = performance.now();
    if (!warming && timed > minRounds && performance.now() - timedFrom >= targetMs) break;
    for (const [s, x] of inputs.entries()) {
      const t0 = performance.now();
      await model.forwardHidden(x.tokens, x.positions, x.mask);
      await model.argmax(all ? x.tokens.map((_, i) => i) : [0]); // as verify reads: every row at once, or the root's
      const t1 = performance.now();
      if (!all && x.tokens.length > 1) await model.argmax([1]); // one more row: what each accepted node adds
      const t2 = performance.now();
      model.commit([0]);
      const t3 = performance.now();
      model.rollback(context);
      if (warming) continue;
      samples[s].push(t1 - t0 + (t3 - t2));
      if (!all && x.tokens.length > 1) rowSamples.push(t2 - t1);
    }
  }
  model.reset();
  // a forward over more rows never costs less: the non-decreasing curve nearest to the medians (capping each size at a
  // larger one's cost instead made flat stretches ending at the larger size, where auto then always took the larger)
  const typical = nonDecreasing(samples.map(median));
  const points = CALIBRATION_ROWS.map((rows, s): [number, number] => [rows, typical[s]]);
  const spread = median(samples.map((xs) => (quantile(xs, 0.75) - quantile(xs, 0.25)) / median(xs)));
  return { format: PROFILE_FORMAT, key, context, points, spread, rowMs: rowSamples.length > 0 ? median(rowSamples) : 0, measuredAt: new Date().toISOString() };
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

/** Read a profile file; errors name the file and the problem. */
export function readProfile(file: string): CostProfile {
  let p: CostProfile;
  try {
    p = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read cost profile (${(e as Error).message})`);
  }
  const pointsOk = Array.isArray(p?.points) && p.points.length > 0 && p.points.every((x, i) => Array.isArray(x) && x.length === 2 && x.every((v) => Number.isFinite(v) && v >= 0) && (i === 0 || x[0] > p.points[i - 1][0]));
  if (!p || typeof p.key !== 'object' || p.key === null || !pointsOk || !(Number.isFinite(p.rowMs) && p.rowMs >= 0)) {
    throw new Error(`${file}: not a cost profile (expected key, points [[rows, ms], ...] with rows ascending, rowMs)`);
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
