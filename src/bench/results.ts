/**
 * The benchmark results file (`--out results.json`): the run's configuration, one row per (task, mode), and the
 * aggregates per mode and per repository. Rewritten every few seconds during a run, so that an interrupted run resumes about where it stopped.
 */
import { mean, quantile } from '../../util/stats';
import type { Budget } from '../decode/budget';
import type { GenerationMetrics, StepTiming } from '../trace/types';
import { readJsonFile } from '../../util/json-file';
import { writeFileAtomic } from '../../util/atomic-file';

/** How the run was made; a resumed run must match it. */
export interface BenchConfig {
  dataset: 'humaneval' | 'repoeval';
  data: string; // dataset path
  tokenizer: string; // tokenizer directory
  model: string | null; // model directory, null with --oracle
  oracle: boolean;
  commonIndex: string | null; // D_c datastore file
  maxNewTokens: number;
  seed: number;
  modes: string[];
  cacheScope: 'generation' | 'session'; // whether the retrieval cache lives for one generation or the whole run
  oracleCost?: string; // with --oracle: what one forward costs, e.g. '0 ms' or 'model smollm-135m' (a cost model's shape)
  // draft tokens verified per forward (the paper's 64) or 'auto'; a list in a sweep (modes then named '<mode>@<budget>');
  // absent in files written before it was recorded
  budget: Budget | Budget[];
  backend?: string; // tfjs backend of a real model
  wasmThreads?: number; // its thread pool, when wasm runs more than one (--wasm-threads)
  repeat?: number; // runs of each (task, mode), the median one kept (absent: 1)
}

/** One task decoded in one mode. */
export interface TaskResult {
  task: string; // task id
  repo: string | null; // RepoEval repository, null for HumanEval
  mode: string;
  generated: number; // L
  forwards: number; // F
  acceptance: number; // L / F
  msPerToken: number;
  wallMs: number;
  prefillMs: number;
  time: StepTiming; // summed over steps
  retrievals: number;
  cacheHits: number;
  skippedByTiming: number;
  missingTableHits: number;
  stopReason: string;
  identicalToAr: boolean; // output tokens equal `ar`'s (with --oracle: equal the reference's tokens)
  draftNodes?: number; // draft nodes verified, summed over forwards (absent in files written before it was recorded)
  runsMsPerToken?: number[]; // with --repeat: every run's ms/token, in order (this row is the median run)
  text: string; // generated text
  tokens: number[]; // generated ids
}

/** Per-mode aggregate over the tasks run in that mode. */
export interface ModeAggregate {
  tasks: number;
  generated: number; // total L
  forwards: number; // total F
  acceptance: number; // total L / total F
  meanAcceptance: number; // mean of the per-task L/F
  msPerToken: number; // mean of the per-task ms/token
  msPerTokenMedian: number; // median of the per-task ms/token (a noisy machine moves the mean more)
  msPerTokenIqr: [number, number]; // spread: 25th and 75th percentiles of the per-task ms/token
  speedup: number | null; // ar's mean ms/token / this mode's (null without an `ar` run)
  taskSpeedup: { median: number; min: number; max: number } | null; // spread of the per-task speedups (ar ms/token / this mode's)
  identicalToAr: number; // tasks whose output equals ar's (or the reference, with --oracle)
  meanTree: number; // draft nodes verified per forward (0 when not recorded)
  stepMs: number; // decode ms per forward (step): Σ ms/token · L / Σ F, drafting included
  stepCost: number | null; // stepMs over ar's on the same tasks: what a step costs against a greedy one (null without `ar`)
  cacheHitRate: number; // cache hits / retrievals consulted
  skippedByTimingShare: number; // skipped by timing / retrieval decisions
  missingTableShare: number; // missing-table hits / retrieval decisions
  time: StepTiming; // summed over tasks
}

export interface BenchResults {
  version: 1;
  config: BenchConfig;
  results: TaskResult[];
  aggregates: Record<string, ModeAggregate>;
  byRepo: Record<string, Record<string, ModeAggregate>>; // repository → mode → aggregate (RepoEval only)
}

/**
 * A `TaskResult` row from a generation's metrics.
 *
 * Example: taskResult({ id: '3' }, 'rest', result.metrics, result, true).acceptance // result.metrics.acceptance
 */
export function taskResult(
  task: { id: string; repo?: string },
  mode: string,
  m: GenerationMetrics,
  out: { stopReason: string; text: string; tokens: number[] },
  identicalToAr: boolean,
): TaskResult {
  return {
    task: task.id,
    repo: task.repo ?? null,
    mode,
    generated: m.generated,
    forwards: m.forwards,
    acceptance: m.acceptance,
    msPerToken: m.msPerToken,
    wallMs: m.wallMs,
    prefillMs: m.prefillMs,
    time: { ...m.time },
    retrievals: m.retrievals,
    cacheHits: m.cacheHits,
    skippedByTiming: m.skippedByTiming,
    missingTableHits: m.missingTableHits,
    stopReason: out.stopReason,
    identicalToAr,
    text: out.text,
    tokens: out.tokens,
  };
}

/**
 * The median run of one (task, mode) by ms/token (the lower middle of an even count), with every run's ms/token and
 * identical only if every run was. Example: runs at 30, 10, 20 ms/token → the 20 ms/token run, runsMsPerToken [30, 10, 20]
 */
export function medianRun(runs: readonly TaskResult[]): TaskResult {
  if (runs.length === 1) return runs[0];
  const sorted = [...runs].sort((a, b) => a.msPerToken - b.msPerToken);
  const middle = sorted[(sorted.length - 1) >> 1];
  return { ...middle, identicalToAr: runs.every((r) => r.identicalToAr), runsMsPerToken: runs.map((r) => r.msPerToken) };
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

function sumTiming(rows: TaskResult[]): StepTiming {
  const t: StepTiming = { retrieveMs: 0, trieMs: 0, forwardMs: 0, commitMs: 0, otherMs: 0 };
  for (const r of rows) for (const k of Object.keys(t) as (keyof StepTiming)[]) t[k] += r.time[k];
  return t;
}

/**
 * Aggregate the rows of one mode (speedup left null: `aggregate` fills it in against `ar`).
 *
 * Example: two tasks with L/F = 10/5 and 6/6 give acceptance 16/11 = 1.4545, meanAcceptance (2 + 1) / 2 = 1.5.
 */
export function aggregateMode(rows: TaskResult[]): ModeAggregate {
  const sum = (f: (r: TaskResult) => number): number => rows.reduce((s, r) => s + f(r), 0);
  const msPerToken = mean(rows.map((r) => r.msPerToken));
  const decisions = sum((r) => r.forwards);
  return {
    tasks: rows.length,
    generated: sum((r) => r.generated),
    forwards: sum((r) => r.forwards),
    acceptance: ratio(sum((r) => r.generated), sum((r) => r.forwards)),
    meanAcceptance: mean(rows.map((r) => r.acceptance)),
    msPerToken,
    msPerTokenMedian: quantile(rows.map((r) => r.msPerToken), 0.5),
    msPerTokenIqr: [quantile(rows.map((r) => r.msPerToken), 0.25), quantile(rows.map((r) => r.msPerToken), 0.75)],
    speedup: null,
    taskSpeedup: null,
    identicalToAr: rows.filter((r) => r.identicalToAr).length,
    meanTree: ratio(sum((r) => r.draftNodes ?? 0), decisions),
    stepMs: stepMs(rows),
    stepCost: null,
    cacheHitRate: ratio(sum((r) => r.cacheHits), sum((r) => r.retrievals)),
    skippedByTimingShare: ratio(sum((r) => r.skippedByTiming), decisions),
    missingTableShare: ratio(sum((r) => r.missingTableHits), decisions),
    time: sumTiming(rows),
  };
}

/** Decode ms per forward over `rows`: Σ ms/token · L / Σ F. Example: rows (L 10, F 2, 5 ms/token), (L 6, F 3, 5) → 80 / 5 = 16 */
function stepMs(rows: TaskResult[]): number {
  return ratio(rows.reduce((s, r) => s + r.msPerToken * r.generated, 0), rows.reduce((s, r) => s + r.forwards, 0));
}

/**
 * Per-mode aggregates of `rows`, in the order of `modes`. Speedup and step cost compare against `ar` on the tasks both
 * ran. Over those tasks' totals, speedup = L/F ÷ step cost (ar takes one forward per token); the reported speedup is of
 * the per-task means, so it differs from that by the tasks' weights.
 *
 * Example: aggregate(rows, ['ar', 'fastcoder']).fastcoder.speedup // ar ms/token ÷ fastcoder ms/token
 */
export function aggregate(rows: TaskResult[], modes: string[]): Record<string, ModeAggregate> {
  const out: Record<string, ModeAggregate> = {};
  const arRows = new Map(rows.filter((r) => r.mode === 'ar').map((r) => [r.task, r]));
  const arMs = (r: TaskResult): number => arRows.get(r.task)!.msPerToken; // ar's ms/token on r's task
  for (const mode of modes) {
    const mine = rows.filter((r) => r.mode === mode);
    if (!mine.length) continue;
    const paired = mine.filter((r) => arRows.has(r.task));
    const agg = aggregateMode(mine);
    const pairedMs = mean(paired.map((r) => r.msPerToken));
    if (paired.length && pairedMs > 0) agg.speedup = mean(paired.map(arMs)) / pairedMs;
    const arStepMs = stepMs(paired.map((r) => arRows.get(r.task)!));
    if (paired.length && arStepMs > 0) agg.stepCost = stepMs(paired) / arStepMs;
    const perTask = paired.filter((r) => r.msPerToken > 0).map((r) => arMs(r) / r.msPerToken).sort((a, b) => a - b);
    if (perTask.length) agg.taskSpeedup = { median: quantile(perTask, 0.5), min: perTask[0], max: perTask[perTask.length - 1] };
    out[mode] = agg;
  }
  return out;
}

/** Per-repository aggregates (`repo → mode → aggregate`), for RepoEval rows; `{}` when no row has a repository. */
export function aggregateByRepo(rows: TaskResult[], modes: string[]): Record<string, Record<string, ModeAggregate>> {
  const repos = [...new Set(rows.map((r) => r.repo).filter((r): r is string => r !== null))].sort();
  return Object.fromEntries(repos.map((repo) => [repo, aggregate(rows.filter((r) => r.repo === repo), modes)]));
}

/** Results with fresh aggregates for `results` rows. */
export function withAggregates(config: BenchConfig, results: TaskResult[]): BenchResults {
  return { version: 1, config, results, aggregates: aggregate(results, config.modes), byRepo: aggregateByRepo(results, config.modes) };
}

/**
 * Read and check a results file; errors name the file and the problem.
 *
 * Example: readResults('out/humaneval.json').aggregates.fastcoder.acceptance
 */
export function readResults(file: string): BenchResults {
  const r = readJsonFile(file) as Partial<BenchResults>;
  if (!r || r.version !== 1) throw new Error(`${file}: not a fastcoder results file (expected "version": 1)`);
  if (!r.config || !Array.isArray(r.config.modes)) throw new Error(`${file}: missing 'config.modes'`);
  if (!Array.isArray(r.results)) throw new Error(`${file}: missing 'results' array`);
  return withAggregates(r.config, r.results);
}

/** Write `results` atomically (temp file + rename), so an interrupted run never leaves a half-written file. */
export function writeResults(file: string, results: BenchResults): void {
  writeFileAtomic(file, JSON.stringify(results, null, 1) + '\n');
}
