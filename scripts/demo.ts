/**
 * `npm run demo`: offline, a few minutes on 2 cores. The bundled tiny-coder-dsc model decodes three RepoEval tasks of
 * `maxhumber/redframes` with plain greedy (`ar`) and with FastCoder (D_r = the repository without the target function,
 * D_c = a slice of the CPython stdlib) at the paper's draft budget (64) and at a CPU-sized one (3), prints ms/token,
 * speedup, L/F and whether the outputs are identical, writes a trace page of the first task, then runs the oracle benchmark on the same tasks (Table IV: REST vs FastCoder L/F).
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
import { generate } from '../src/decode/generate';
import { JsonlTraceWriter } from '../src/trace/writer';
import { readTrace } from '../src/trace/reader';
import { tracePage } from '../src/trace/page';

const ROOT = path.join(__dirname, '..');
const MODEL = path.join(ROOT, 'models/tiny-coder-dsc');
const DATA = path.join(ROOT, 'examples/repoeval-redframes');
const COMMON = path.join(ROOT, 'examples/common-python-mini');
const OUT = path.join(ROOT, 'out');
const TASKS = ['0', '1', '2']; // redframes verbs mutate, drop, rename: short prompts, 3-12 target lines
const MAX_NEW = 64;
const CPU_BUDGET = 3; // draft tokens per forward on a CPU: the root + 3 fill one 4-row tile of XNNPACK's matrix multiply

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
  // FastCoder twice: with the paper's draft budget, and with one sized for a CPU (root + 3 drafts = one 4-row XNNPACK tile)
  const configs = [{ name: 'budget 64 (paper)', budget: 64 }, { name: 'budget 3 (CPU)', budget: CPU_BUDGET }];
  const cell = (ms: number, speedup: number, lf: number) => `  ${f2(ms).padStart(8)} ${(f2(speedup) + '×').padStart(8)} ${f2(lf).padStart(6)}`;
  console.log(`${' '.repeat(43)}${configs.map((c) => `  ${('fastcoder, ' + c.name).padEnd(24)}`).join('')}`);
  console.log(`${'task'.padEnd(5)} ${'file'.padEnd(27)} ${'ar ms/tok'.padStart(9)}${configs.map(() => `  ${'ms/tok'.padStart(8)} ${'speedup'.padStart(8)} ${'L/F'.padStart(6)}`).join('')}  identical`);
  const totals = { ar: 0, L: 0, same: 0, fc: configs.map(() => ({ ms: 0, L: 0, F: 0 })) };
  // untimed warm-up of both paths (wasm compilation, first allocations), so task 0's figures are not start-up costs
  const warm = { maxNewTokens: 16, eosIds: [EOS], repo: false, commonIndex: common };
  for (const mode of ['ar', 'fastcoder'] as const) await generate(model, tokenizer, promptIds(tokenizer, tasks[0].prompt, 512), { mode, ...warm });
  for (const task of tasks) {
    const ids = promptIds(tokenizer, task.prompt, 512);
    const repoIndex = excludeLines(fullRepo, files, task.exclusion!, id);
    const ar = await generate(model, tokenizer, ids, { mode: 'ar', maxNewTokens: MAX_NEW, eosIds: [EOS] });
    let same = true;
    const cells: string[] = [];
    for (const [i, c] of configs.entries()) {
      const trace = task === tasks[0] && i === 0 ? new JsonlTraceWriter(path.join(OUT, 'demo-trace.jsonl')) : undefined;
      const fc = await generate(model, tokenizer, ids, { mode: 'fastcoder', budget: c.budget, maxNewTokens: MAX_NEW, eosIds: [EOS], repoIndex, commonIndex: common, trace });
      trace?.close();
      same &&= sameOutput(fc.tokens, ar.tokens) && fc.tokens.length === ar.tokens.length;
      const m = fc.metrics;
      cells.push(cell(m.msPerToken, ar.metrics.msPerToken / m.msPerToken, m.acceptance));
      Object.assign(totals.fc[i], { ms: totals.fc[i].ms + m.msPerToken * m.generated, L: totals.fc[i].L + m.generated, F: totals.fc[i].F + m.forwards });
    }
    console.log(`${task.id.padEnd(5)} ${task.exclusion!.file.padEnd(27)} ${f2(ar.metrics.msPerToken).padStart(9)}${cells.join('')}  ${same ? 'yes' : 'NO'}`);
    totals.ar += ar.metrics.msPerToken * ar.metrics.generated;
    totals.L += ar.metrics.generated;
    totals.same += same ? 1 : 0;
  }
  const totalCells = totals.fc.map((t) => cell(t.ms / t.L, totals.ar / t.ms, t.L / t.F));
  console.log(`${'total'.padEnd(5)} ${' '.repeat(27)} ${f2(totals.ar / totals.L).padStart(9)}${totalCells.join('')}  ${totals.same}/${tasks.length} identical`);
  console.log('\nL/F is tokens per forward; every output is token-identical to ar. On one CPU core a forward over 1 + 64 draft');
  console.log('tokens costs several one-token forwards, so the paper\'s budget is slower than greedy here; a budget of 3 fits');
  console.log('the CPU (see README, "Measured figures"). The oracle rows below measure acceptance against the real code.');
  fs.writeFileSync(path.join(OUT, 'demo-trace.html'), tracePage(readTrace(path.join(OUT, 'demo-trace.jsonl')), { model: path.relative(ROOT, MODEL) }));
  console.log(`\ntrace of task ${tasks[0].id}: ${path.relative(process.cwd(), path.join(OUT, 'demo-trace.html'))}`);
  model.dispose();

  const oracle = await runBench({
    config: { dataset: 'repoeval', data: DATA, tokenizer: MODEL, model: null, oracle: true, commonIndex: COMMON, maxNewTokens: 1000, seed: 0, modes: ['ar', 'rest', 'fastcoder'], cacheScope: 'generation', budget: 64 },
    tasks, modes: parseModes('ar,rest,fastcoder'), tokenizer, target: { kind: 'oracle', vocabSize: id.vocabSize, eosId: EOS, costMs: 0 }, commonIndex: common,
    repoIndexFor: async (t) => excludeLines(fullRepo, files, t.exclusion!, id),
  });
  console.log('\nOracle target (its greedy output is the task reference code): acceptance length L/F, as in Table IV\n');
  console.log(tableIV(oracle));
}

main().catch((e: unknown) => {
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
