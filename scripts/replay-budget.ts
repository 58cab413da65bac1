/**
 * `npx tsx scripts/replay-budget.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds>
 *    --profile <cost profile .json> --budget 1,3,auto [--modes fastcoder,fastcoder-plus] [--targets <results.json>]
 *    [--max-prompt-tokens N] [--max-new-tokens N] [--limit N] [--out <json>]`
 *
 * Draft budgets replayed in virtual time: a forward costs what the cost profile says (`forwardMs` of its rows, plus
 * `rowMs` for each further row read) and nothing else takes any time, because the script replaces `performance.now`,
 * which every clock of the library reads, by a clock that only those costs advance. So a run is deterministic: budgets,
 * `auto`'s chooser included, are compared on the same steps without the machine's noise, and without the cost of
 * drafting itself (which a real run pays; `scripts/bench-drafting.ts` measures it).
 *
 * The target is the oracle: each task's reference code (then EOS), or with `--targets` the tokens a real model generated
 * (the `ar` rows of a `bench --model ... --out` file, e.g. tiny-coder-dsc's), so that acceptance is that model's.
 * Prints, per mode and budget, the speedup (ar's virtual ms per token ÷ the mode's), L/F and draft nodes per forward.
 *
 * Example (tiny-coder-dsc's own HumanEval outputs, its calibrated profile):
 *   npx tsx scripts/replay-budget.ts --dataset humaneval --data ../shared/data/humaneval/HumanEval.jsonl.gz \
 *     --tokenizer models/tiny-coder-dsc --common-index .cache/dc.fcds --profile .cache/cost-profiles/wasm-<hash>.json \
 *     --budget 1,3,auto --targets out/tiny-he.json --max-prompt-tokens 512
 */
import * as path from 'path';
import { parseArgs } from 'util';
import type { CausalLM } from '../model/causal-lm';
import { loadTokenizer } from '../model/tokenizer';
import { loadDatastore } from '../retrieval/io/datastore-file';
import { configVocabSize, tokenizerHash } from '../retrieval/io/tokenizer-hash';
import { loadTasks } from '../src/bench/datasets';
import { parseModes } from '../src/bench/modes';
import { repoIndexes, type TokenizerIdentity } from '../src/bench/repo-datastores';
import { readResults } from '../src/bench/results';
import { promptIds, sweepModes } from '../src/bench/run';
import { runEntryPoint } from '../src/cli/entry';
import { parseBudget } from '../src/decode/budget';
import { type CostProfile, forwardMs, readProfile } from '../src/decode/cost-model';
import { generate } from '../src/decode/generate';
import { createOracle } from '../src/decode/oracle';
import { writeFileAtomic } from '../util/atomic-file';

/** The virtual clock: milliseconds of the forwards simulated so far. */
let virtualMs = 0;
performance.now = () => virtualMs;

/**
 * A model that only spends virtual time: a forward over n rows costs forwardMs(profile, n) (the first row read
 * included), each further argmax read rowMs per row. It computes nothing; the oracle it runs beside gives the tokens.
 * Example: profile points [[1, 3], [4, 4]], rowMs 1: forward over 4 rows, then argmax([0]), argmax([1]) → 5 ms
 */
function virtualCostModel(profile: CostProfile, vocabSize: number): CausalLM {
  let reads = 0;
  let length = 0;
  const model: Partial<CausalLM> = {
    vocabSize,
    eosIds: [],
    verifyRows: 'path',
    get cacheLength() {
      return length;
    },
    async forwardHidden(tokens) {
      virtualMs += forwardMs(profile, tokens.length);
      reads = 0;
    },
    async argmax(rows) {
      if (reads++ > 0) virtualMs += profile.rowMs * rows.length;
      return new Int32Array(rows.length);
    },
    commit: (keep) => void (length += keep.length),
    rollback: (l) => void (length = l),
    reset: () => void (length = 0),
    dispose: () => {},
  };
  return model as CausalLM;
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: {
      dataset: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' }, 'common-index': { type: 'string' }, profile: { type: 'string' },
      budget: { type: 'string' }, modes: { type: 'string' }, targets: { type: 'string' }, 'max-prompt-tokens': { type: 'string' }, 'max-new-tokens': { type: 'string' },
      limit: { type: 'string' }, out: { type: 'string' },
    },
  });
  if ((v.dataset !== 'humaneval' && v.dataset !== 'repoeval') || !v.data || !v.tokenizer || !v['common-index'] || !v.profile || !v.budget) {
    console.error('usage: replay-budget.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds> --profile <json> --budget 1,3,auto [--modes a,b] [--targets results.json] [--max-prompt-tokens N] [--max-new-tokens N] [--limit N] [--out json]');
    return 2;
  }
  const tokenizer = loadTokenizer(v.tokenizer);
  const vocabSize = configVocabSize(v.tokenizer) ?? tokenizer.vocabSize;
  const id: TokenizerIdentity = { tokenizer, vocabSize, tokenizerHash: tokenizerHash(v.tokenizer) };
  const commonIndex = loadDatastore(v['common-index'], { vocabSize, tokenizerHash: id.tokenizerHash });
  const profile = readProfile(v.profile);
  const eos = tokenizer.eosIds[0];
  const targets = v.targets ? new Map(readResults(v.targets).results.filter((r) => r.mode === 'ar').map((r) => [r.task, r.tokens])) : null;
  const tasks = loadTasks(v.dataset, v.data).filter((t) => !targets || targets.has(t.id)).slice(0, v.limit ? Number(v.limit) : undefined);
  const modes = sweepModes(parseModes(`ar,${v.modes ?? 'fastcoder,fastcoder-plus'}`), v.budget.split(',').map((b) => parseBudget(b.trim())));
  const repoIndexFor = repoIndexes(path.join(v.data, 'function_level_repos.tar.gz'), tasks, '.cache/dr', id);
  const totals = new Map(modes.map((m) => [m.name, { ms: 0, tokens: 0, forwards: 0, nodes: 0 }]));
  for (const task of tasks) {
    const ids = promptIds(tokenizer, task.prompt, v['max-prompt-tokens'] ? Number(v['max-prompt-tokens']) : undefined);
    const generated = targets?.get(task.id) ?? [...tokenizer.encode(task.reference), eos];
    const endsWithEos = generated[generated.length - 1] === eos;
    const script = endsWithEos ? generated.slice(0, -1) : generated; // the oracle's reference; it emits EOS after it
    const maxNewTokens = Math.min(v['max-new-tokens'] ? Number(v['max-new-tokens']) : Infinity, endsWithEos ? generated.length : script.length);
    const repoIndex = await repoIndexFor(task);
    for (const m of modes) {
      const model = createOracle(script, { vocabSize, prompt: ids, eosId: eos, costModel: virtualCostModel(profile, vocabSize) });
      const t = totals.get(m.name)!;
      const r = await generate(model, tokenizer, ids, {
        ...m.options, budget: m.budget ?? 0, costProfile: profile, maxNewTokens, eosIds: [eos], commonIndex,
        ...(repoIndex ? { repoIndex } : { repo: false }),
        onStep: (s) => void (t.nodes += s.draft.tokens.length),
      });
      t.ms += r.metrics.msPerToken * r.metrics.generated;
      t.tokens += r.metrics.generated;
      t.forwards += r.metrics.forwards;
    }
  }
  const ar = totals.get('ar')!;
  const rows = [...totals].map(([mode, t]) => ({ mode, speedup: ar.ms / ar.tokens / (t.ms / t.tokens), acceptance: t.tokens / t.forwards, nodesPerForward: t.nodes / t.forwards, msPerToken: t.ms / t.tokens }));
  console.log(`virtual-time replay, ${v.dataset}, ${tasks.length} tasks, profile ${path.basename(v.profile)} (${profile.key.shape}), targets: ${v.targets ?? 'reference code'}`);
  console.log('mode                      speedup   L/F     nodes/forward   ms/token');
  for (const r of rows) console.log(`${r.mode.padEnd(24)}  ${r.speedup.toFixed(3)}x   ${r.acceptance.toFixed(3)}   ${r.nodesPerForward.toFixed(2).padStart(8)}        ${r.msPerToken.toFixed(3)}`);
  if (v.out) writeFileAtomic(v.out, JSON.stringify({ dataset: v.dataset, profile: v.profile, targets: v.targets ?? null, tasks: tasks.length, rows }, null, 1) + '\n');
  return 0;
}

runEntryPoint('replay-budget', main);
