/**
 * The benchmark loop: every task in every mode (`ar` first), with a real model or the oracle target, D_r per task
 * (RepoEval), D_c shared, the retrieval cache per generation or per (mode, repository) (`config.cacheScope`); results
 * written every few seconds and at the end, so that a rerun skips what is already in `--out`. A budget sweep
 * (`sweepModes`) runs every drafting mode at every budget, interleaved per task in this one process, `ar` once. With
 * `config.repeat` = R, each task's modes run in R rounds (all modes, then all again) and each keeps its median run: on a
 * shared machine a burst of load that hits one run of one mode no longer decides that task's ratio.
 */
import type { CausalLM } from '../../model/causal-lm';
import type { Tokenizer } from '../../model/tokenizer';
import type { SequenceCache } from '../../retrieval/cache';
import type { Datastore } from '../../retrieval/datastore';
import { newSequenceCache } from '../../retrieval/retriever';
import type { Budget } from '../decode/budget';
import type { CostProfile } from '../decode/cost-model';
import { generate, type GenerationResult } from '../decode/generate';
import { createOracle } from '../decode/oracle';
import { draftsFromRepo } from '../decode/options';
import type { BenchTask } from './datasets';
import type { ModeSpec } from './modes';
import { WARM_UP_TOKENS } from './warm-up';
import { type BenchConfig, type BenchResults, medianRun, taskResult, type TaskResult, withAggregates, writeResults } from './results';

const WRITE_EVERY_MS = 5000; // how often `out` is rewritten during a run (an interrupted run loses at most this much)
const now = (): number => performance.now();

/** The target: a loaded model, or the oracle built per task from the reference. */
export type Target =
  | { kind: 'model'; model: CausalLM; eosId: number }
  | { kind: 'oracle'; vocabSize: number; eosId: number; costMs: number; costModel?: CausalLM }; // costModel: a real forward's time

/** A mode as run in a benchmark: with its own draft budget in a sweep (else `config.budget`). */
export type RunMode = ModeSpec & { budget?: Budget };

export interface RunOptions {
  config: BenchConfig;
  tasks: BenchTask[];
  modes: RunMode[];
  tokenizer: Tokenizer;
  target: Target;
  commonIndex?: Datastore;
  repoIndexFor?: (task: BenchTask) => Promise<Datastore | undefined>; // D_r of a task (RepoEval)
  maxPromptTokens?: number; // keep only the last N prompt tokens (BOS kept)
  previous?: TaskResult[]; // rows of an earlier run with the same config (resume)
  out?: string; // results file, rewritten every WRITE_EVERY_MS and at the end
  onProgress?: (done: number, total: number, task: BenchTask, mode: string) => void;
  costProfile?: CostProfile; // the verify step's cost, for budget 'auto' (default: calibrated once per model object)
}

/**
 * Every mode at every budget, named `<mode>@<budget>` when there are several budgets (`ar` drafts nothing: once, as
 * `ar`); with one budget, the modes as they are.
 *
 * Example: sweepModes(parseModes('ar,fastcoder'), [3, 'auto']).map((m) => m.name) // ['ar', 'fastcoder@3', 'fastcoder@auto']
 */
export function sweepModes(modes: ModeSpec[], budgets: Budget[]): RunMode[] {
  if (budgets.length === 0) throw new Error('--budget: empty list');
  if (budgets.length === 1) return modes.map((m) => ({ ...m, budget: budgets[0] }));
  return modes.flatMap((m) => (m.options.mode === 'ar' ? [m] : budgets.map((b) => ({ ...m, name: `${m.name}@${b}`, budget: b }))));
}

/**
 * Prompt ids: BOS + the prompt (tokenizer's special tokens), cut to the last `max` tokens keeping BOS.
 *
 * Example: promptIds(tok, 'x = 1\n', 3) // [bos, ...last 2 tokens of 'x = 1\n']
 */
export function promptIds(tokenizer: Tokenizer, prompt: string, max?: number): number[] {
  const ids = tokenizer.encode(prompt, { addSpecialTokens: true });
  if (!max || ids.length <= max) return ids;
  const bos = tokenizer.bosId !== null && ids[0] === tokenizer.bosId ? [ids[0]] : [];
  return [...bos, ...ids.slice(ids.length - (max - bos.length))];
}

/**
 * Whether the output equals the expected one: `ar`'s tokens with a model, the reference (then EOS) with the oracle,
 * compared over the tokens generated (a run cut by max tokens is compared on its prefix).
 *
 * Example: sameOutput([5, 6], [5, 6, 7]) // true;  sameOutput([5, 8], [5, 6, 7]) // false
 */
export function sameOutput(tokens: number[], expected: number[]): boolean {
  return tokens.length <= expected.length && tokens.every((t, i) => t === expected[i]);
}

/**
 * The session caches of a run: with `cacheScope: 'session'`, one retrieval cache per (mode, repository), shared by that
 * mode's generations on the repository's tasks (D_r changes per task, the cache carries over); none with 'generation'.
 *
 * Example: const caches = sessionCaches('session'); caches(task, spec) === caches(task, spec) // true, same cache
 */
export function sessionCaches(scope: BenchConfig['cacheScope']): (task: BenchTask, spec: ModeSpec) => SequenceCache | undefined {
  const caches = new Map<string, SequenceCache>();
  return (task, spec) => {
    if (scope !== 'session' || !spec.options.mode.startsWith('fastcoder') || spec.options.cache === false) return undefined;
    const key = `${spec.name}\0${task.repo ?? ''}`;
    if (!caches.has(key)) caches.set(key, newSequenceCache({}));
    return caches.get(key);
  };
}

/** What every mode of one task shares: prompt ids, the reference's ids, D_r. */
interface TaskInputs {
  ids: number[];
  ref: number[];
  repoIndex: Datastore | undefined;
}

async function runOne(o: RunOptions, spec: RunMode, { ids, ref, repoIndex }: TaskInputs, sessionCache: SequenceCache | undefined, onStep: (nodes: number) => void): Promise<GenerationResult> {
  const model = o.target.kind === 'model' ? o.target.model : createOracle(ref, { vocabSize: o.target.vocabSize, prompt: ids, eosId: o.target.eosId, costMs: o.target.costMs, costModel: o.target.costModel });
  const maxNewTokens = o.target.kind === 'oracle' ? Math.min(o.config.maxNewTokens, ref.length + 1) : o.config.maxNewTokens;
  return generate(model, o.tokenizer, ids, {
    ...spec.options,
    maxNewTokens,
    eosIds: [o.target.eosId],
    seed: o.config.seed,
    budget: spec.budget ?? (Array.isArray(o.config.budget) ? 64 : o.config.budget), // ar (no budget in a sweep) drafts nothing anyway
    costProfile: o.costProfile,
    onStep: (s) => onStep(s.draft.tokens.length),
    ...(repoIndex ? { repoIndex } : { repo: false }), // no D_r (HumanEval): FastCoder on D_c and the cache
    commonIndex: o.commonIndex,
    sessionCache,
  });
}

/** Each mode once, short and untimed, on the first task's inputs (see `warm-up.ts`). */
async function warmUpModes(o: RunOptions, modes: RunMode[], inputs: TaskInputs): Promise<void> {
  const short = { ...o, config: { ...o.config, maxNewTokens: WARM_UP_TOKENS } };
  for (const spec of modes) await runOne(short, spec, inputs, undefined, () => undefined);
}

/**
 * Refuse runs of a task that would not be alike: with cache scope session each would start from the cache the one
 * before it left. Example: checkRepeat(3, 'session') throws; checkRepeat(3, 'generation') passes
 */
export function checkRepeat(repeat: number, cacheScope: BenchConfig['cacheScope']): void {
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: expected an integer of at least 1, got ${repeat}`);
  if (repeat > 1 && cacheScope === 'session') throw new Error('--repeat: with --cache-scope session each run of a task would start from the cache the run before it left; use --cache-scope generation');
}

/** Run the benchmark; returns the results (also written to `o.out` every few seconds and at the end). */
export async function runBench(o: RunOptions): Promise<BenchResults> {
  const rows = [...(o.previous ?? [])];
  const done = new Set(rows.map((r) => `${r.task}\0${r.mode}`));
  const repeat = o.config.repeat ?? 1;
  checkRepeat(repeat, o.config.cacheScope);
  const total = o.tasks.length * o.modes.length * repeat;
  let count = 0;
  const cacheFor = sessionCaches(o.config.cacheScope);
  let lastWrite = now();
  let warmedUp = false;
  for (const task of o.tasks) {
    const pending = o.modes.filter((m) => !done.has(`${task.id}\0${m.name}`));
    count += (o.modes.length - pending.length) * repeat;
    if (!pending.length) continue;
    const inputs: TaskInputs = {
      ids: promptIds(o.tokenizer, task.prompt, o.maxPromptTokens),
      ref: o.tokenizer.encode(task.reference),
      repoIndex: pending.some((m) => draftsFromRepo(m.options)) ? await o.repoIndexFor?.(task) : undefined,
    };
    if (!warmedUp) await warmUpModes(o, pending, inputs); // untimed: the first task's timings would be start-up costs
    warmedUp = true;
    let expected: number[] | undefined = o.target.kind === 'oracle' ? [...inputs.ref, o.target.eosId] : rows.find((r) => r.task === task.id && r.mode === 'ar')?.tokens;
    const runs = new Map(pending.map((spec) => [spec.name, [] as TaskResult[]]));
    for (let round = 0; round < repeat; round++) {
      for (const spec of pending) {
        o.onProgress?.(count++, total, task, spec.name);
        let draftNodes = 0;
        const r = await runOne(o, spec, inputs, cacheFor(task, spec), (n) => (draftNodes += n));
        if (round === 0 && spec.name === 'ar' && o.target.kind === 'model') expected = r.tokens;
        runs.get(spec.name)!.push({ ...taskResult(task, spec.name, r.metrics, r, expected ? sameOutput(r.tokens, expected) : false), draftNodes });
      }
    }
    for (const spec of pending) rows.push(medianRun(runs.get(spec.name)!));
    // rewriting the whole file after every task grows quadratically: at most every WRITE_EVERY_MS (and at the end)
    if (o.out && now() - lastWrite >= WRITE_EVERY_MS) {
      writeResults(o.out, withAggregates(o.config, rows));
      lastWrite = now();
    }
  }
  if (o.out) writeResults(o.out, withAggregates(o.config, rows));
  o.onProgress?.(total, total, o.tasks[o.tasks.length - 1], 'done');
  return withAggregates(o.config, rows);
}
