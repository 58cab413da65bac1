/**
 * `npx tsx scripts/step-costs.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds>
 *    --cost-model <preset> --runs ar:0,fastcoder:3,fastcoder:auto [--rounds N] [--repos <dir|tar.gz>]
 *    [--cost-profile <file>] [--measured-profile <file>] [--max-prompt-tokens N] [--max-new-tokens N] [--limit N] [--out <json>]`
 *
 * Does the cost profile predict what steps really cost? Each task's reference code is the oracle's output and a
 * random-weight model of the preset's shape runs every forward in lockstep (as `bench --oracle --oracle-cost-model`),
 * each run (mode:budget) once per task in `--rounds` interleaved rounds. Every step's measured forward + commit is
 * divided by the profile's prediction for its rows, accepted nodes, rows read at once and cache length (`stepMs`); the script prints, per
 * run, the decode time in all, the steps, and per number of rows the steps and the median of that ratio. A profile
 * that fits gives one ratio at every size (the machine's load lifts all alike). `auto` learns that load online, and a
 * correction for greedy steps where their ratio differs from the trees'.
 * The profile is `--cost-profile` or the cached one of the preset's shape (`.cache/cost-profiles`), calibrated if absent.
 * `--measured-profile` writes that profile with each size's cost scaled by what its steps took here, every run's steps
 * pooled (`measuredProfile`): what `scripts/replay-budget.ts --true-profile` charges, to replay `auto` on the costs
 * this harness really had while it still chooses by the calibrated profile.
 *
 * Example (the oracle benchmark's SmolLM-135M setting):
 *   npx tsx scripts/step-costs.ts --dataset repoeval --data ../shared/data/repoeval --tokenizer models/tiny-coder-dsc \
 *     --common-index .cache/dc.fcds --cost-model smollm-135m --runs ar:0,fastcoder:3,fastcoder:auto --rounds 2 \
 *     --max-prompt-tokens 128 --max-new-tokens 64 --limit 8
 *   → fastcoder@auto  decode 34063 ms, 358 steps; rows 1: 98 × 1.50, 2: 2 × 1.59, 4: 238 × 1.43, 8: 18 × 1.25, ...
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { rowsReadAlone } from '../model/greedy';
import { loadTokenizer } from '../model/tokenizer';
import { loadDatastore } from '../retrieval/io/datastore-file';
import { configVocabSize, tokenizerHash } from '../retrieval/io/tokenizer-hash';
import { loadTasks } from '../src/bench/datasets';
import { parseModes } from '../src/bench/modes';
import { randomModel } from '../src/bench/random-model';
import { repoIndexes, type TokenizerIdentity } from '../src/bench/repo-datastores';
import { promptIds, sweepModes } from '../src/bench/run';
import { runEntryPoint } from '../src/cli/entry';
import { intFlag } from '../src/cli/flags';
import { parseBudget } from '../src/decode/budget';
import { type CostProfile, describeProfile, loadOrCalibrate, modelKey, stepMs, writeProfile } from '../src/decode/cost-model';
import { generate } from '../src/decode/generate';
import { createOracle } from '../src/decode/oracle';
import { median } from '../util/stats';
import { writeFileAtomic } from '../util/atomic-file';

/** What one run (mode at a budget) cost over every round and task. */
interface RunCosts {
  run: string; // <mode>@<budget>
  decodeMs: number; // after the prefills
  steps: number;
  byRows: { rows: number; steps: number; measuredOverPredicted: number }[]; // median ratio per forward size
}

/**
 * Per forward size, the steps and the median of measured / predicted ms.
 * Example: byRows([[1, 1.1], [4, 0.9], [1, 1.3]]) → [{ rows 1, steps 2, ratio 1.2 }, { rows 4, steps 1, ratio 0.9 }]
 */
export function byRows(samples: readonly [number, number][]): RunCosts['byRows'] {
  const groups = new Map<number, number[]>();
  for (const [rows, ratio] of samples) {
    if (!groups.has(rows)) groups.set(rows, []);
    groups.get(rows)!.push(ratio);
  }
  return [...groups].sort((a, b) => a[0] - b[0]).map(([rows, ratios]) => ({ rows, steps: ratios.length, measuredOverPredicted: median(ratios) }));
}

/**
 * `p` with every curve's cost at each size scaled by the measured ratio there (`ratios`, rows ascending: `byRows` over
 * all steps): linear between measured sizes, the nearest one's beyond them, the same at every cache length (the steps
 * ran at their own). Reads are left as they are.
 * Example: ratios 1: 1.2, 4: 0.9 and a curve [[1, 10], [2, 12], [8, 30]] → [[1, 12], [2, 13.2], [8, 27]]
 */
export function measuredProfile(p: CostProfile, ratios: RunCosts['byRows']): CostProfile {
  if (ratios.length === 0) throw new Error('measuredProfile: no steps measured');
  const at = (rows: number): number => {
    const i = ratios.findIndex((r) => r.rows >= rows);
    if (i < 0) return ratios[ratios.length - 1].measuredOverPredicted; // beyond the largest size measured
    if (i === 0) return ratios[0].measuredOverPredicted; // at or below the smallest
    const [a, b] = [ratios[i - 1], ratios[i]];
    return a.measuredOverPredicted + ((b.measuredOverPredicted - a.measuredOverPredicted) * (rows - a.rows)) / (b.rows - a.rows);
  };
  return { ...p, curves: p.curves.map((c) => ({ ...c, points: c.points.map(([rows, ms]): [number, number] => [rows, ms * at(rows)]) })), measuredAt: new Date().toISOString() };
}

export async function main(args: string[] = process.argv.slice(2)): Promise<number> {
  const { values: v } = parseArgs({
    args,
    options: {
      dataset: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' }, 'common-index': { type: 'string' }, 'cost-model': { type: 'string' },
      runs: { type: 'string' }, rounds: { type: 'string' }, repos: { type: 'string' }, 'max-prompt-tokens': { type: 'string' }, 'max-new-tokens': { type: 'string' },
      limit: { type: 'string' }, out: { type: 'string' }, 'cost-profile': { type: 'string' }, 'measured-profile': { type: 'string' },
    },
  });
  if ((v.dataset !== 'humaneval' && v.dataset !== 'repoeval') || !v.data || !v.tokenizer || !v['common-index'] || !v['cost-model'] || !v.runs) {
    console.error('usage: step-costs.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds> --cost-model <preset> --runs mode:budget,... [--rounds N] [--repos dir|tar.gz] [--cost-profile file] [--measured-profile file] [--max-prompt-tokens N] [--max-new-tokens N] [--limit N] [--out json]');
    return 2;
  }
  const rounds = intFlag('rounds', v.rounds, 1);
  if (rounds < 1) throw new Error(`--rounds: at least 1 (each run once per task and round), got ${rounds}`);
  const runs = v.runs.split(',').map((r) => {
    const [mode, budget] = r.split(':');
    if (budget === undefined) throw new Error(`--runs: expected mode:budget, got '${r}'`);
    return { ...sweepModes(parseModes(mode), [parseBudget(budget, '--runs budget')])[0], name: `${mode}@${budget}` };
  });
  const tokenizer = loadTokenizer(v.tokenizer);
  const vocabSize = configVocabSize(v.tokenizer) ?? tokenizer.vocabSize;
  const id: TokenizerIdentity = { tokenizer, vocabSize, tokenizerHash: tokenizerHash(v.tokenizer) };
  const commonIndex = loadDatastore(v['common-index'], { vocabSize, tokenizerHash: id.tokenizerHash });
  const tasks = loadTasks(v.dataset, v.data).slice(0, intFlag('limit', v.limit, Infinity));
  const repoIndexFor = repoIndexes(v.repos ?? path.join(v.data, 'function_level_repos.tar.gz'), tasks, '.cache/dr', id);
  const costModel = await randomModel(v['cost-model']);
  const profile = await loadOrCalibrate(costModel, modelKey(costModel), { file: v['cost-profile'], log: console.error });
  console.log(`profile (${profile.key.backend}, ${profile.key.shape}): ${describeProfile(profile)}`);
  const maxPromptTokens = intFlag('max-prompt-tokens', v['max-prompt-tokens'], 0); // 0: the whole prompt
  const maxNew = intFlag('max-new-tokens', v['max-new-tokens'], Infinity);
  const eos = tokenizer.eosIds[0];
  const samples = new Map(runs.map((r) => [r.name, { decodeMs: 0, ratios: [] as [number, number][] }]));
  for (let round = 0; round < rounds; round++) {
    for (const task of tasks) {
      const ids = promptIds(tokenizer, task.prompt, maxPromptTokens);
      const ref = tokenizer.encode(task.reference);
      const repoIndex = await repoIndexFor(task);
      for (const run of runs) {
        const s = samples.get(run.name)!;
        const oracle = createOracle(ref, { vocabSize, prompt: ids, eosId: eos, costModel });
        const r = await generate(oracle, tokenizer, ids, {
          ...run.options, budget: run.budget ?? 0, costProfile: profile, maxNewTokens: Math.min(maxNew, ref.length + 1), eosIds: [eos], commonIndex, ...(repoIndex ? { repoIndex } : { repo: false as const }),
          onStep: (step) => {
            const nodes = step.draft.tokens.length;
            const accepted = step.accepted.filter((a) => a.node >= 0).map((a) => a.node);
            s.ratios.push([nodes + 1, (step.timing.forwardMs + step.timing.commitMs) / stepMs(profile, nodes + 1, rowsReadAlone(accepted, step.batch), step.contextLength - 1, step.batch)]);
          },
        });
        s.decodeMs += r.metrics.wallMs - r.metrics.prefillMs;
      }
    }
  }
  const out: RunCosts[] = runs.map((r) => {
    const { decodeMs, ratios } = samples.get(r.name)!;
    return { run: r.name, decodeMs, steps: ratios.length, byRows: byRows(ratios) };
  });
  for (const r of out) console.log(`${r.run.padEnd(24)} decode ${r.decodeMs.toFixed(0)} ms, ${r.steps} steps; rows ${r.byRows.map((b) => `${b.rows}: ${b.steps} × ${b.measuredOverPredicted.toFixed(2)}`).join(', ')}`);
  if (v['measured-profile']) writeProfile(v['measured-profile'], measuredProfile(profile, byRows(runs.flatMap((r) => samples.get(r.name)!.ratios))));
  if (v.out) writeFileAtomic(v.out, JSON.stringify({ dataset: v.dataset, costModel: v['cost-model'], profile, tasks: tasks.length, runs: out }, null, 1) + '\n');
  return 0;
}

if (require.main === module) runEntryPoint('step-costs', () => main());
