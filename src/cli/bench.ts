/**
 * `fastcoder bench`: decode HumanEval or RepoEval tasks in several modes with a real model or the oracle target, write
 * the results JSON (resumable) and print Tables I, II, IV.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadModel } from '../../model/load';
import { loadTokenizer } from '../../model/tokenizer';
import { buildDatastore } from '../../retrieval/io/build';
import { loadDatastore, saveDatastore } from '../../retrieval/io/datastore-file';
import { configVocabSize, tokenizerHash } from '../../retrieval/io/tokenizer-hash';
import { loadTasks, type BenchTask } from '../bench/datasets';
import { parseModes } from '../bench/modes';
import { randomModel } from '../bench/random-model';
import { repoIndexes, type TokenizerIdentity } from '../bench/repo-datastores';
import { type BenchConfig, readResults, writeResults } from '../bench/results';
import { checkRepeat, runBench, sweepModes, type Target } from '../bench/run';
import { parseBudget } from '../decode/budget';
import { type CostProfile, describeProfile, flatProfile, loadOrCalibrate, modelKey } from '../decode/cost-model';
import type { LlamaModel } from '../../model/llama';
import { markdownSummary } from '../bench/tables';
import { MAX_BUDGET } from '../decode/options';
import { intFlag, loadFlags, WASM_THREADS_HELP } from './flags';

const HELP = `usage: fastcoder bench --dataset humaneval|repoeval --data <path> --tokenizer <dir> (--model <dir> | --oracle)
                       --out <results.json> [options]

  --modes <list>          ar,pld,rest,fastcoder,fastcoder-plus plus Table II rows (w/o-repo, w/o-cache, w/o-timing,
                          w/-parallel, or 'ablations' for all four) and the plus rows ('+norm', 'plus-norm', ... or
                          'plus-ablations' for all); default ar,pld,rest,fastcoder. fastcoder searches D_r and D_c
                          in this thread (measured faster); w/-parallel in worker threads, as in the paper
  --cache-scope <s>       generation (default, the paper's: the retrieval cache starts empty for every task) or
                          session (one cache per mode and repository, carried across its tasks in order)
  --limit <N>             first N tasks only
  --repos <dir|tar.gz>    RepoEval repositories (default: <data>/function_level_repos.tar.gz)
  --common-index <file>   D_c datastore (.fcds) for rest/fastcoder
  --common-source <path>  build --common-index from this corpus (dir or .tar.gz) when the file does not exist yet
  --cache-dir <dir>       where per-repository D_r indexes are cached (default .cache/dr)
  --max-new-tokens <N>    cap on generated tokens (default 128 with --model; with --oracle the longest reference + EOS)
  --max-prompt-tokens <N> keep the last N prompt tokens (default: 512 with --model, all with --oracle)
  --oracle-cost-ms <ms>   simulated time of one oracle forward (default 0)
  --oracle-cost-model <m> run a random-weight Llama of this shape (preset: smollm-135m, tiny-coder-dsc, ...; or a
                          config.json) in lockstep with the oracle, so ms/token and speedup are a real model's forward
                          cost with acceptance against the reference code
  --backend <name>        tfjs backend for --model
${WASM_THREADS_HELP}
  --seed <N>              retrieval-timing coin seed (default 0)
  --repeat <N>            run each task's modes N times in rounds and keep each mode's median run (default 1); the
                          results keep every run's ms/token (runsMsPerToken). Not with --cache-scope session
  --budget <list>         draft tokens verified per forward: auto (default: per step, the tree size of best expected
                          tokens per ms under this machine's cost model; n = 0 is a plain greedy step), or N (the
                          paper's 64; at most ${MAX_BUDGET}); a list (3,7,15,63,auto) runs every mode at every budget,
                          interleaved per task, ar once, results keyed <mode>@<budget>
  --cost-profile <file>   the verify step's measured cost (budget auto): loaded if it exists (refused if measured on
                          another backend, model shape or CPU), else calibrated and saved there; default: cached in
                          .cache/cost-profiles per backend + model shape

Resumable: tasks already in --out (same configuration) are skipped. Prints Tables I, II (ablation), IV; the results
JSON (config.cacheScope) and the tables' title line say which cache scope was used.`;

const OPTIONS = {
  dataset: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' }, model: { type: 'string' }, oracle: { type: 'boolean' },
  modes: { type: 'string' }, limit: { type: 'string' }, repos: { type: 'string' }, 'common-index': { type: 'string' }, 'common-source': { type: 'string' }, 'cache-dir': { type: 'string' },
  'max-new-tokens': { type: 'string' }, 'max-prompt-tokens': { type: 'string' }, 'oracle-cost-ms': { type: 'string' }, 'oracle-cost-model': { type: 'string' }, backend: { type: 'string' }, 'wasm-threads': { type: 'string' },
  seed: { type: 'string' }, repeat: { type: 'string' }, budget: { type: 'string' }, 'cost-profile': { type: 'string' }, 'cache-scope': { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Build D_c from a corpus and save it. */
async function buildCommon(source: string, file: string, id: TokenizerIdentity): Promise<void> {
  console.error(`building D_c ${file} from ${source} ...`);
  const { datastore, stats } = await buildDatastore([source], { tokenizer: id.tokenizer, vocabSize: id.vocabSize, tokenizerHash: id.tokenizerHash });
  saveDatastore(datastore, file);
  console.error(`D_c: ${stats.files} files, ${stats.tokens} tokens (tokenize ${stats.tokenizeSeconds.toFixed(1)} s, suffix array ${stats.suffixArraySeconds.toFixed(1)} s)`);
}

/** The cost profile of the model that is timed (the cost model with --oracle), or the oracle's flat simulated cost. */
async function costProfileOf(timed: LlamaModel | undefined | null, file: string | undefined, oracleMs: number): Promise<CostProfile> {
  if (!timed) {
    if (file) throw new Error('--cost-profile: the oracle without --oracle-cost-model costs a constant --oracle-cost-ms; there is no forward to profile');
    return flatProfile(oracleMs);
  }
  const p = await loadOrCalibrate(timed, modelKey(timed), { file, log: (m) => console.error(m) });
  console.error(`cost profile (${p.key.backend}, ${p.key.shape}): ${describeProfile(p)}`);
  return p;
}

/** Seconds between progress lines when stderr is not a terminal (a log file): one bench printed 2,485 lines. */
const LOG_PROGRESS_EVERY_S = 30;

/**
 * Progress on stderr: a bar redrawn in place on a terminal; on a pipe or file, a line at most every 30 s, plus the
 * first and the last. Example (log): '[#####-------------------------] 12/72 task 3 fastcoder'
 */
export function progressPrinter(tty = !!process.stderr.isTTY, write = (s: string) => void process.stderr.write(s), now = () => performance.now()) {
  let last = -Infinity;
  return (done: number, total: number, task: BenchTask, mode: string): void => {
    const width = 30;
    const filled = Math.round((done / Math.max(1, total)) * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} task ${task.id} ${mode}`;
    if (tty) return write(`\r${line.padEnd(80)}${done === total ? '\n' : ''}`);
    if (done !== total && done !== 0 && now() - last < 1000 * LOG_PROGRESS_EVERY_S) return;
    last = now();
    write(line + '\n');
  };
}

/** The flags a run needs that `v` lacks (or gets wrong), for the usage error. */
function usageProblems(v: { dataset?: string; data?: string; tokenizer?: string; out?: string; model?: string; oracle?: boolean }): string[] {
  const problems: string[] = [];
  if (v.dataset === undefined) problems.push('--dataset humaneval|repoeval is required');
  else if (v.dataset !== 'humaneval' && v.dataset !== 'repoeval') problems.push(`--dataset must be humaneval or repoeval, got '${v.dataset}'`);
  for (const flag of ['data', 'tokenizer', 'out'] as const) if (!v[flag]) problems.push(`--${flag} is required`);
  if (!!v.model === !!v.oracle) problems.push(v.model ? 'give --model or --oracle, not both' : 'give --model <dir> or --oracle');
  return problems;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: OPTIONS });
  if (v.help) return console.log(HELP), 0;
  const problems = usageProblems(v);
  if (problems.length || !v.data || !v.tokenizer || !v.out) {
    console.error(`fastcoder bench: ${problems.join('; ')}\n\n${HELP}`);
    return 2;
  }
  const dataset = v.dataset as 'humaneval' | 'repoeval';
  const budgets = (v.budget ?? 'auto').split(',').map((b) => parseBudget(b.trim()));
  const modes = sweepModes(parseModes(v.modes ?? 'ar,pld,rest,fastcoder'), budgets);
  const cacheScope = v['cache-scope'] ?? 'generation';
  if (cacheScope !== 'generation' && cacheScope !== 'session') throw new Error(`--cache-scope: expected generation or session, got '${cacheScope}'`);
  const repeat = intFlag('repeat', v.repeat, 1);
  checkRepeat(repeat, cacheScope);
  const tokenizer = loadTokenizer(v.tokenizer);
  const allTasks = loadTasks(dataset, v.data);
  const tasks = allTasks.slice(0, v.limit ? intFlag('limit', v.limit, 0) : undefined);
  // the oracle's default cap: the whole reference + EOS of every task of the dataset (not only the first --limit)
  const oracleCap = (): number => Math.max(0, ...allTasks.map((t) => tokenizer.encode(t.reference).length)) + 1;
  const load = loadFlags(v);
  const model = v.model ? await loadModel(v.model, load) : null;
  if (model) console.error(`backend: ${model.backend} (${model.backendDetail})`);
  const vocabSize = model?.vocabSize ?? configVocabSize(v.tokenizer) ?? tokenizer.vocabSize;
  const config: BenchConfig = {
    dataset, data: v.data, tokenizer: v.tokenizer, model: v.model ?? null, oracle: !!v.oracle, commonIndex: v['common-index'] ?? null,
    maxNewTokens: v.oracle && v['max-new-tokens'] === undefined ? oracleCap() : intFlag('max-new-tokens', v['max-new-tokens'], 128), seed: intFlag('seed', v.seed, 0), modes: modes.map((m) => m.name),
    cacheScope, budget: budgets.length === 1 ? budgets[0] : budgets, ...(model ? { backend: model.backend, ...(model.threads > 1 ? { wasmThreads: model.threads } : {}) } : {}), ...(repeat > 1 ? { repeat } : {}),
    ...(v.oracle ? { oracleCost: v['oracle-cost-model'] ? `model ${v['oracle-cost-model']}` : `${Number(v['oracle-cost-ms'] ?? 0)} ms` } : {}),
  };
  const previous = fs.existsSync(v.out) ? readResults(v.out) : null;
  if (previous && JSON.stringify({ ...previous.config, modes: [] }) !== JSON.stringify({ ...config, modes: [] })) {
    throw new Error(`${v.out}: exists with a different configuration; use another --out to start a new run`);
  }
  if (previous && cacheScope === 'session' && previous.results.length) {
    console.error(`${v.out}: resuming a session-scope run: the caches restart empty, so the resumed tasks see fewer cached sequences than an uninterrupted run`);
  }
  const hash = tokenizerHash(v.tokenizer);
  const id: TokenizerIdentity = { tokenizer, vocabSize, tokenizerHash: hash };
  if (v['common-source'] && v['common-index'] && !fs.existsSync(v['common-index'])) await buildCommon(v['common-source'], v['common-index'], id);
  const commonIndex = v['common-index'] ? loadDatastore(v['common-index'], { vocabSize, tokenizerHash: hash }) : undefined;
  // EOS: the model's config.json, else the tokenizer's (which itself prefers a config.json beside tokenizer.json)
  const eosId = [...(model?.eosIds ?? []), ...tokenizer.eosIds][0];
  if (eosId === undefined) throw new Error(`no EOS id: neither ${v.model ?? v.tokenizer}/config.json nor the tokenizer in ${v.tokenizer} names one`);
  const costModel = v.oracle && v['oracle-cost-model'] ? await randomModel(v['oracle-cost-model'], load) : undefined;
  if (costModel) console.error(`oracle cost model: ${v['oracle-cost-model']} (random weights) on ${costModel.backend}`);
  const target: Target = model ? { kind: 'model', model, eosId } : { kind: 'oracle', vocabSize, eosId, costMs: Number(v['oracle-cost-ms'] ?? 0), costModel };
  const drafts = modes.some((m) => m.options.mode !== 'ar'); // ar alone verifies no drafts: nothing to calibrate for
  const costProfile = budgets.includes('auto') && drafts ? await costProfileOf(model ?? costModel, v['cost-profile'], Number(v['oracle-cost-ms'] ?? 0)) : undefined;
  const reposSource = v.repos ?? path.join(v.data, 'function_level_repos.tar.gz');
  const results = await runBench({
    config, tasks, modes, tokenizer, target, commonIndex,
    repoIndexFor: dataset === 'repoeval' ? repoIndexes(reposSource, tasks, v['cache-dir'] ?? '.cache/dr', id) : undefined,
    maxPromptTokens: v['max-prompt-tokens'] ? intFlag('max-prompt-tokens', v['max-prompt-tokens'], 0) : model ? 512 : undefined,
    previous: previous?.results, out: v.out, onProgress: progressPrinter(), costProfile,
  });
  writeResults(v.out, results);
  model?.dispose();
  console.log(markdownSummary(results));
  console.log(`wrote ${v.out}`);
  return 0;
}
