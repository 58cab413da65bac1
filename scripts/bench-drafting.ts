/**
 * `npx tsx scripts/bench-drafting.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds>
 *    [--modes fastcoder,fastcoder-plus] [--limit N] [--budget 64] [--out <json>]`
 *
 * Drafting time per step (retrieve + Trie, the part of a step that retrieval adds) with the oracle target, so that the
 * draft trees are those of the acceptance figures: p50 / p90 / p99 / mean in ms over every step of every task, with the L/F
 * of the same run. The modes run interleaved task by task (one machine state for both). Prints a table, writes JSON.
 *
 * Example:
 *   npx tsx scripts/bench-drafting.ts --dataset repoeval --data ../shared/data/repoeval --tokenizer models/tiny-coder-dsc \
 *     --common-index .cache/dc-cpython-3.11.7.fcds --limit 60
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { loadTokenizer } from '../model/tokenizer';
import { loadDatastore } from '../retrieval/io/datastore-file';
import { configVocabSize, tokenizerHash } from '../retrieval/io/tokenizer-hash';
import { loadTasks } from '../src/bench/datasets';
import { parseModes } from '../src/bench/modes';
import { repoIndexes, type TokenizerIdentity } from '../src/bench/repo-datastores';
import { promptIds } from '../src/bench/run';
import { generate } from '../src/decode/generate';
import { runEntryPoint } from '../src/cli/entry';
import { intFlag } from '../src/cli/flags';
import { createOracle } from '../src/decode/oracle';
import { writeFileAtomic } from '../util/atomic-file';
import { mean, quantile } from '../util/stats';

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: { dataset: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' }, 'common-index': { type: 'string' }, modes: { type: 'string' }, limit: { type: 'string' }, budget: { type: 'string' }, out: { type: 'string' } },
  });
  if ((v.dataset !== 'humaneval' && v.dataset !== 'repoeval') || !v.data || !v.tokenizer || !v['common-index']) {
    console.error('usage: bench-drafting.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds> [--modes a,b] [--limit N] [--budget N] [--out json]');
    return 2;
  }
  const tokenizer = loadTokenizer(v.tokenizer);
  const vocabSize = configVocabSize(v.tokenizer) ?? tokenizer.vocabSize;
  const id: TokenizerIdentity = { tokenizer, vocabSize, tokenizerHash: tokenizerHash(v.tokenizer) };
  const common = loadDatastore(v['common-index'], { vocabSize, tokenizerHash: id.tokenizerHash });
  const tasks = loadTasks(v.dataset, v.data).slice(0, intFlag('limit', v.limit, Infinity));
  const modes = parseModes(v.modes ?? 'fastcoder,fastcoder-plus');
  const budget = intFlag('budget', v.budget, 64);
  const eos = tokenizer.eosIds[0];
  const repoIndexFor = repoIndexes(path.join(v.data, 'function_level_repos.tar.gz'), tasks, '.cache/dr', id);
  const steps = new Map(modes.map((m) => [m.name, [] as number[]]));
  const lf = new Map(modes.map((m) => [m.name, { tokens: 0, forwards: 0 }]));
  for (const task of tasks) {
    const repoIndex = await repoIndexFor(task);
    const ids = promptIds(tokenizer, task.prompt);
    const ref = tokenizer.encode(task.reference);
    for (const m of modes) {
      const lm = createOracle(ref, { vocabSize, prompt: ids, eosId: eos });
      const r = await generate(lm, tokenizer, ids, {
        ...m.options, maxNewTokens: ref.length + 1, eosIds: [eos], budget, commonIndex: common,
        ...(repoIndex ? { repoIndex } : { repo: false }),
        onStep: (s) => steps.get(m.name)!.push(s.timing.retrieveMs + s.timing.trieMs),
      });
      lf.get(m.name)!.tokens += r.tokens.length;
      lf.get(m.name)!.forwards += r.metrics.forwards;
    }
  }
  const rows = modes.map((m) => {
    const xs = steps.get(m.name)!;
    const { tokens, forwards } = lf.get(m.name)!;
    return { mode: m.name, tasks: tasks.length, steps: xs.length, acceptance: tokens / forwards, p50Ms: quantile(xs, 0.5), p90Ms: quantile(xs, 0.9), p99Ms: quantile(xs, 0.99), meanMs: mean(xs) };
  });
  console.log(`drafting time per step (retrieve + Trie), ${v.dataset}, ${tasks.length} tasks, budget ${budget}`);
  console.log('mode                 steps    L/F     p50 ms   p90 ms   p99 ms   mean ms');
  for (const r of rows) console.log(`${r.mode.padEnd(20)} ${String(r.steps).padStart(6)}   ${r.acceptance.toFixed(3)}   ${r.p50Ms.toFixed(3)}    ${r.p90Ms.toFixed(3)}    ${r.p99Ms.toFixed(3)}    ${r.meanMs.toFixed(3)}`);
  if (v.out) writeFileAtomic(v.out, JSON.stringify({ dataset: v.dataset, budget, commonIndex: v['common-index'], rows }, null, 1));
  return 0;
}

runEntryPoint('bench-drafting', main);
