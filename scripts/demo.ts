/**
 * `npm run demo`: offline, a few minutes on 2 cores. The bundled tiny-coder-dsc model decodes three RepoEval tasks of
 * `maxhumber/redframes` with plain greedy (`ar`) and with FastCoder (D_r = the repository without the target function,
 * D_c = a slice of the CPython stdlib): the paper's rules (`fastcoder`) and this project's drafter (`fastcoder-plus`)
 * with `--budget auto` (the tree size chosen per step from this machine's cost model, calibrated once and cached in
 * .cache/cost-profiles), and the paper's rules at its draft budget (64). Prints ms/token, speedup, L/F and whether the
 * outputs are identical, writes a trace page of the first task (fastcoder, auto), then runs the oracle benchmark on the
 * same tasks (Table IV: REST vs FastCoder L/F).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../model/load';
import { loadTokenizer } from '../model/tokenizer';
import { buildDatastore } from '../retrieval/io/build';
import { tokenizerHash } from '../retrieval/io/tokenizer-hash';
import { loadRepoEval } from '../src/bench/datasets';
import { parseModes } from '../src/bench/modes';
import { excludeLines, readRepos, repoDatastore, type TokenizerIdentity } from '../src/bench/repo-datastores';
import { promptIds, runBench, sameOutput } from '../src/bench/run';
import { tableIV } from '../src/bench/tables';
import { warmUp } from '../src/bench/warm-up';
import type { Budget } from '../src/decode/budget';
import { loadOrCalibrate, modelKey } from '../src/decode/cost-model';
import { generate, type GenerationResult, type Mode } from '../src/decode/generate';
import { JsonlTraceWriter } from '../src/trace/writer';
import { readTrace } from '../src/trace/reader';
import { tracePage } from '../src/trace/page';
import { runEntryPoint } from '../src/cli/entry';
import { median } from '../util/stats';

const ROOT = path.join(__dirname, '..');
const MODEL = path.join(ROOT, 'models/tiny-coder-dsc');
const DATA = path.join(ROOT, 'examples/repoeval-redframes');
const COMMON = path.join(ROOT, 'examples/common-python-mini');
const OUT = path.join(ROOT, 'out');
const TASKS = ['0', '1', '2']; // redframes verbs mutate, drop, rename: short prompts, 3-12 target lines
const MAX_NEW = 64;

const ROUNDS = 9; // timed rounds per task; ms/token: the median; speedup: the median of each round's ar / mode ratio (5 rounds left one task's median ±5 % from run to run here)

const f2 = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const tokenizer = loadTokenizer(MODEL);
  const model = await loadModel(MODEL);
  const EOS = model.eosIds[0]; // config.json's 32014 (the bundled tokenizer_config.json names the instruct EOT; see models/tiny-coder-dsc/BUNDLED.md)
  const id: TokenizerIdentity = { tokenizer, vocabSize: model.vocabSize, tokenizerHash: tokenizerHash(MODEL) };
  const tasks = loadRepoEval(DATA).filter((t) => TASKS.includes(t.id));
  const repo = tasks[0].repo!;
  const files = (await readRepos(path.join(DATA, 'repos'), [repo])).get(repo)!;
  const fullRepo = repoDatastore(repo, files, path.join(ROOT, '.cache/demo'), id);
  const { datastore: common } = await buildDatastore([COMMON], id);
  console.log(`model ${path.relative(ROOT, MODEL)} on ${model.backend}; D_r ${repo} ${fullRepo.tokenCount} tokens; D_c ${path.relative(ROOT, COMMON)} ${common.tokenCount} tokens\n`);
  // FastCoder twice: with the tree size chosen per step from the cost model (auto), and with the paper's fixed budget
  const costProfile = await loadOrCalibrate(model, modelKey(model), { dir: path.join(ROOT, '.cache/cost-profiles'), log: (m) => console.log(m) });
  // the paper's rules and this project's drafter (fastcoder-plus), both with the budget chosen per step; then the paper's fixed budget
  const configs: { name: string; mode: Mode; budget: Budget }[] = [
    { name: 'fastcoder, auto', mode: 'fastcoder', budget: 'auto' },
    { name: 'fastcoder-plus, auto', mode: 'fastcoder-plus', budget: 'auto' },
    { name: 'fastcoder, budget 64', mode: 'fastcoder', budget: 64 },
  ];
  // a mode's cell: median ms/token, the median of the rounds' paired speedups with their range, L/F
  const cell = (ms: number, speedups: number[], lf: number) => `  ${f2(ms).padStart(8)} ${(f2(median(speedups)) + '×').padStart(8)} ${`[${f2(Math.min(...speedups))}–${f2(Math.max(...speedups))}]`.padStart(11)} ${f2(lf).padStart(6)}`;
  console.log(`${' '.repeat(43)}${configs.map((c) => `  ${c.name.padEnd(36)}`).join('')}`);
  console.log(`${'task'.padEnd(5)} ${'file'.padEnd(27)} ${'ar ms/tok'.padStart(9)}${configs.map(() => `  ${'ms/tok'.padStart(8)} ${'speedup'.padStart(8)} ${'range'.padStart(11)} ${'L/F'.padStart(6)}`).join('')}  identical`);
  // per round: ms of all tasks' tokens, ar and each mode, so the total speedup is paired by round as well
  const totals = { ar: 0, L: 0, same: 0, arRound: new Array<number>(ROUNDS).fill(0), fc: configs.map(() => ({ ms: 0, L: 0, F: 0, round: new Array<number>(ROUNDS).fill(0) })) };
  // untimed warm-up of both paths (wasm compilation, first allocations), so task 0's figures are not start-up costs
  const warm = { eosIds: [EOS], repo: false, commonIndex: common, costProfile, budget: 'auto' as const };
  await warmUp(model, tokenizer, promptIds(tokenizer, tasks[0].prompt, 512), [{ mode: 'ar', ...warm }, { mode: 'fastcoder', ...warm }, { mode: 'fastcoder-plus', ...warm }]);
  for (const task of tasks) {
    const ids = promptIds(tokenizer, task.prompt, 512);
    const repoIndex = excludeLines(fullRepo, files, task.exclusion!, id);
    // ROUNDS rounds of ar then each configuration, interleaved so that the machine's load hits all alike; medians
    const arMs: number[] = [];
    const fcMs = configs.map(() => [] as number[]);
    const fcLast: GenerationResult[] = [];
    let same = true;
    let ar!: GenerationResult;
    for (let round = 0; round < ROUNDS; round++) {
      ar = await generate(model, tokenizer, ids, { mode: 'ar', maxNewTokens: MAX_NEW, eosIds: [EOS] });
      arMs.push(ar.metrics.msPerToken);
      for (const [i, c] of configs.entries()) {
        const trace = task === tasks[0] && i === 0 && round === 0 ? new JsonlTraceWriter(path.join(OUT, 'demo-trace.jsonl')) : undefined;
        fcLast[i] = await generate(model, tokenizer, ids, { mode: c.mode, budget: c.budget, costProfile, maxNewTokens: MAX_NEW, eosIds: [EOS], repoIndex, commonIndex: common, trace });
        trace?.close();
        same &&= sameOutput(fcLast[i].tokens, ar.tokens) && fcLast[i].tokens.length === ar.tokens.length;
        fcMs[i].push(fcLast[i].metrics.msPerToken);
      }
    }
    const cells = configs.map((_, i) => {
      const m = fcLast[i].metrics;
      const t = totals.fc[i];
      Object.assign(t, { ms: t.ms + median(fcMs[i]) * m.generated, L: t.L + m.generated, F: t.F + m.forwards });
      fcMs[i].forEach((ms, r) => (t.round[r] += ms * m.generated));
      return cell(median(fcMs[i]), arMs.map((a, r) => a / fcMs[i][r]), m.acceptance);
    });
    console.log(`${task.id.padEnd(5)} ${task.exclusion!.file.padEnd(27)} ${f2(median(arMs)).padStart(9)}${cells.join('')}  ${same ? 'yes' : 'NO'}`);
    totals.ar += median(arMs) * ar.metrics.generated;
    arMs.forEach((ms, r) => (totals.arRound[r] += ms * ar.metrics.generated));
    totals.L += ar.metrics.generated;
    totals.same += same ? 1 : 0;
  }
  const totalCells = totals.fc.map((t) => cell(t.ms / t.L, totals.arRound.map((a, r) => a / t.round[r]), t.L / t.F));
  console.log(`${'total'.padEnd(5)} ${' '.repeat(27)} ${f2(totals.ar / totals.L).padStart(9)}${totalCells.join('')}  ${totals.same}/${tasks.length} identical`);
  console.log(`\nms/token: the median of ${ROUNDS} interleaved rounds; speedup: the median of the rounds' ar / mode time (range: lowest`);
  console.log('and highest round); L/F: tokens per forward; every output is token-identical to ar. On one CPU core');
  console.log('a forward over 1 + 64 draft tokens costs several one-token forwards, so the paper\'s budget is slower than');
  console.log('greedy here; auto verifies, each step, the draft prefix of best expected tokens per ms under the measured cost');
  console.log('curve, and none when no draft is worth its rows (see README, "Measured figures").');
  console.log('The oracle rows below measure acceptance against the real code.');
  fs.writeFileSync(path.join(OUT, 'demo-trace.html'), tracePage(readTrace(path.join(OUT, 'demo-trace.jsonl')), { model: path.relative(ROOT, MODEL) }));
  console.log(`\ntrace of task ${tasks[0].id}: ${path.relative(process.cwd(), path.join(OUT, 'demo-trace.html'))}`);
  model.dispose();

  const oracle = await runBench({
    config: { dataset: 'repoeval', data: DATA, tokenizer: MODEL, model: null, oracle: true, commonIndex: COMMON, maxNewTokens: 1000, seed: 0, modes: ['ar', 'rest', 'fastcoder', 'fastcoder-plus'], cacheScope: 'generation', budget: 64 },
    tasks, modes: parseModes('ar,rest,fastcoder,fastcoder-plus'), tokenizer, target: { kind: 'oracle', vocabSize: id.vocabSize, eosId: EOS, costMs: 0 }, commonIndex: common,
    repoIndexFor: async (t) => excludeLines(fullRepo, files, t.exclusion!, id),
  });
  console.log('\nOracle target (its greedy output is the task reference code): acceptance length L/F, as in Table IV\n');
  console.log(tableIV(oracle));
}

runEntryPoint('demo', main);
