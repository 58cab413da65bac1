/**
 * `npx tsx scripts/replay-budget.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds>
 *    --profile <cost profile .json> --budget 1,3,auto[,clairvoyant] [--modes fastcoder,fastcoder-plus] [--targets <results.json>]
 *    [--true-profile <cost profile .json>] [--draft-ms X] [--repos <dir|tar.gz>] [--max-prompt-tokens N] [--max-new-tokens N] [--limit N] [--out <json>]`
 *
 * Draft budgets replayed in virtual time: a forward costs what the cost profile says (`forwardMs` of its rows at its cache length, plus
 * `rowMs` for each further row read) and nothing else takes any time, because the script replaces `performance.now`,
 * which every clock of the library reads, by a clock that only those costs advance. So a run is deterministic: budgets,
 * `auto`'s chooser included, are compared on the same steps without the machine's noise. Drafting itself is free unless
 * `--draft-ms` charges each step that retrieved (a real run pays ~0.1 ms: the retrieve and Trie times of a trace, or
 * `scripts/bench-drafting.ts`); the charge falls between the step's `observe` and the next `choose`, where a real
 * step's drafting is, so `auto` sees it in its measured overhead.
 *
 * The target is the oracle: each task's reference code (then EOS), or with `--targets` the tokens a real model generated
 * (the `ar` rows of a `bench --model ... --out` file, e.g. tiny-coder-dsc's), so that acceptance is that model's.
 * Prints, per mode and budget, the speedup (ar's virtual ms per token ÷ the mode's), L/F and draft nodes per forward,
 * and for `auto` what it expected of the nodes it verified (Σ ρ·P, the trace's `expected`) against how many were
 * accepted, per ρ rank bucket and for the nodes of batch reads: whether the estimate holds where it decides.
 * `clairvoyant` in the budget list adds each drafting mode at the clairvoyant budget (src/bench/clairvoyant-budget.ts):
 * `auto`'s rule with each step's acceptance known from the target, so the distance between `auto` and it is what a better
 * acceptance estimate could still gain on these drafts and this cost model.
 * `--true-profile` charges the forwards by another profile than the one `auto` is given (`--profile`): how much `auto`
 * loses to a profile that is wrong by some factor at some sizes, as a calibration on a busy machine is.
 *
 * Example (tiny-coder-dsc's own HumanEval outputs, its calibrated profile):
 *   npx tsx scripts/replay-budget.ts --dataset humaneval --data ../shared/data/humaneval/HumanEval.jsonl.gz \
 *     --tokenizer models/tiny-coder-dsc --common-index .cache/dc.fcds --profile .cache/cost-profiles/wasm-<hash>.json \
 *     --budget 1,3,auto --targets out/tiny-he.json --max-prompt-tokens 512
 */
import * as path from 'path';
import { parseArgs } from 'util';
import type { CausalLM } from '../model/causal-lm';
import type { Tokenizer } from '../model/tokenizer';
import { loadTokenizer } from '../model/tokenizer';
import { loadDatastore } from '../retrieval/io/datastore-file';
import { configVocabSize, tokenizerHash } from '../retrieval/io/tokenizer-hash';
import { type BenchTask, loadTasks } from '../src/bench/datasets';
import { type ModeSpec, parseModes } from '../src/bench/modes';
import { repoIndexes, type TokenizerIdentity } from '../src/bench/repo-datastores';
import { clairvoyantBudget } from '../src/bench/clairvoyant-budget';
import { readResults } from '../src/bench/results';
import { promptIds, type RunMode, sweepModes } from '../src/bench/run';
import { runEntryPoint } from '../src/cli/entry';
import { intFlag } from '../src/cli/flags';
import { parseBudget, rankBucket } from '../src/decode/budget';
import { batchMs, type CostProfile, forwardMs, readProfile } from '../src/decode/cost-model';
import { generate, type GenerateOptions } from '../src/decode/generate';
import { createOracle } from '../src/decode/oracle';
import type { StepTrace } from '../src/trace/types';
import { writeFileAtomic } from '../util/atomic-file';

/** Virtual milliseconds: what the simulated forwards and drafting have cost so far. */
export class VirtualClock {
  ms = 0;
}

/**
 * A model that only spends virtual time: a forward over n rows on a cache of length L costs forwardMs(profile, n, L)
 * (the root row's read included), a first read of b rows at once batchMs(profile, b) more, each further argmax read
 * rowMs per row. It computes nothing; the oracle it runs beside gives the tokens.
 * Example: one curve [[1, 3], [4, 4]], rowMs 1: forward over 4 rows, then argmax([0]), argmax([1]) → 5 ms; with readMs
 *   [[1, 1], [4, 2]]: forward over 4 rows, then argmax([0, 1, 2, 3]) → 5 ms
 */
export function virtualCostModel(profile: CostProfile, vocabSize: number, clock: VirtualClock): CausalLM {
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
      clock.ms += forwardMs(profile, tokens.length, length);
      reads = 0;
    },
    async argmax(rows) {
      clock.ms += reads++ > 0 ? profile.rowMs * rows.length : batchMs(profile, rows.length); // the first read: the root's (in the forward's cost), or a batch
      return new Int32Array(rows.length);
    },
    commit: (keep) => void (length += keep.length),
    rollback: (l) => void (length = l),
    reset: () => void (length = 0),
    dispose: () => {},
  };
  return model as CausalLM;
}

/** What one replayed generation cost and produced. */
export interface Replayed {
  ms: number; // virtual ms after the prefill
  tokens: number; // generated
  forwards: number;
  nodes: number; // draft nodes verified, all steps
}

/** Verified nodes: how many, what `auto` expected of them (Σ ρ·P) and how many were accepted. */
export interface CalibrationCell {
  nodes: number;
  expected: number;
  accepted: number;
}
/** `auto`'s expectations where it decided: per ρ rank bucket (node 0, 1-2, 3-6, ...), and the nodes of batch reads. */
export interface Calibration {
  buckets: CalibrationCell[]; // index: `rankBucket`
  batch: CalibrationCell; // the nodes read in the first read of a step that read several rows at once
}
const emptyCell = (): CalibrationCell => ({ nodes: 0, expected: 0, accepted: 0 });
export const emptyCalibration = (): Calibration => ({ buckets: [], batch: emptyCell() });

/**
 * Add a step's verified nodes to `cal` (a step without `expected`, a fixed budget's, adds nothing).
 * Example: expected [0.5, 0.4, 0.4], batch 3, node 0 accepted → buckets [{1, 0.5, 1}, {2, 0.8, 0}], batch {2, 0.9, 1}
 */
export function addCalibration(cal: Calibration, step: Pick<StepTrace, 'expected' | 'accepted' | 'batch'>): void {
  const accepted = new Set(step.accepted.map((a) => a.node));
  const add = (cell: CalibrationCell, i: number) => Object.assign(cell, { nodes: cell.nodes + 1, expected: cell.expected + step.expected![i], accepted: cell.accepted + (accepted.has(i) ? 1 : 0) });
  for (let i = 0; i < (step.expected?.length ?? 0); i++) {
    add((cal.buckets[rankBucket(i)] ??= emptyCell()), i);
    if (i < step.batch - 1) add(cal.batch, i);
  }
}

/** One line of expected / accepted per bucket and for batch reads. Example: 'node 0: 0.50 / 1 of 1; nodes 1-2: 0.80 / 0 of 2; batch reads: 0.90 / 1 of 2' */
export function describeCalibration(cal: Calibration): string {
  const cell = (c: CalibrationCell) => `${c.expected.toFixed(2)} / ${c.accepted} of ${c.nodes}`;
  const name = (b: number) => (b === 0 ? 'node 0' : `nodes ${2 ** b - 1}-${2 ** (b + 1) - 2}`);
  return [...cal.buckets.flatMap((c, b) => (c ? [`${name(b)}: ${cell(c)}`] : [])), `batch reads: ${cell(cal.batch)}`].join('; ');
}

/**
 * One generation in virtual time: while it runs, `performance.now` (which every clock of the library reads) returns
 * `clock.ms`, and each step that retrieved adds `draftMs` to it, after the step's `observe` and before the next
 * `choose`, where a real step's drafting is. `model` spends the forwards' time (an oracle over `virtualCostModel`).
 * Each step's expectations (`auto`'s) go into `calibration` (`addCalibration`).
 * Example: ar over a 10 ms 1-row profile, 4 tokens → { ms: 40, tokens: 4, forwards: 4, nodes: 0 }
 */
export async function replayGeneration(model: CausalLM, tokenizer: Tokenizer, prompt: number[], options: GenerateOptions, clock: VirtualClock, draftMs: number, calibration = emptyCalibration()): Promise<Replayed> {
  const realNow = performance.now;
  performance.now = () => clock.ms;
  let nodes = 0;
  try {
    const r = await generate(model, tokenizer, prompt, {
      ...options,
      onStep: (s) => {
        nodes += s.draft.tokens.length;
        addCalibration(calibration, s);
        if (s.retrieval !== null) clock.ms += draftMs;
      },
    });
    return { ms: r.metrics.wallMs - r.metrics.prefillMs, tokens: r.metrics.generated, forwards: r.metrics.forwards, nodes };
  } finally {
    performance.now = realNow;
  }
}

/** The flags a replay reads its data from. */
export interface ReplayFlags {
  dataset: 'humaneval' | 'repoeval';
  data: string; // the data set's file or folder
  tokenizer: string; // model directory with the tokenizer (and config.json for the vocabulary size)
  'common-index': string; // D_c
  targets?: string; // a results file whose `ar` rows are the targets (else each task's reference code)
  repos?: string; // RepoEval repositories
  limit?: string;
}

/** A replay's data: the tokenizer and its identity, D_c, the tasks (those with a target, given `targets`). */
export function replayData(v: ReplayFlags) {
  const tokenizer = loadTokenizer(v.tokenizer);
  const vocabSize = configVocabSize(v.tokenizer) ?? tokenizer.vocabSize;
  const id: TokenizerIdentity = { tokenizer, vocabSize, tokenizerHash: tokenizerHash(v.tokenizer) };
  const commonIndex = loadDatastore(v['common-index'], { vocabSize, tokenizerHash: id.tokenizerHash });
  const eos = tokenizer.eosIds[0];
  const targets = v.targets ? new Map(readResults(v.targets).results.filter((r) => r.mode === 'ar').map((r) => [r.task, r.tokens])) : null;
  const tasks = loadTasks(v.dataset, v.data).filter((t) => !targets || targets.has(t.id)).slice(0, intFlag('limit', v.limit, Infinity));
  const repoIndexFor = repoIndexes(v.repos ?? path.join(v.data, 'function_level_repos.tar.gz'), tasks, '.cache/dr', id); // RepoEval repositories, as bench's --repos
  /**
   * A task's target: the tokens generated (the target's, else the reference code then EOS), the oracle's script (the
   * oracle emits EOS after it) and the new tokens to generate. Example: generated [5, 6, EOS] → script [5, 6], 3 new tokens
   */
  const target = (task: BenchTask) => {
    const generated = targets?.get(task.id) ?? [...tokenizer.encode(task.reference), eos];
    const endsWithEos = generated[generated.length - 1] === eos;
    const script = endsWithEos ? generated.slice(0, -1) : generated;
    return { generated, script, maxNewTokens: endsWithEos ? generated.length : script.length };
  };
  return { tokenizer, vocabSize, commonIndex, eos, tasks, repoIndexFor, target };
}

/** A mode of the replay: one of `bench`'s, or a drafting mode at the clairvoyant budget. */
type ReplayMode = RunMode & { clairvoyant?: boolean };

/**
 * The modes of a `--budget` list: each drafting mode at each budget (`sweepModes`), and at `clairvoyant` (the
 * clairvoyant budget, src/bench/clairvoyant-budget.ts), named `<mode>@<budget>` whenever clairvoyant is in the list.
 * Example: replayModes(parseModes('ar,fastcoder'), 'auto,clairvoyant').map((m) => m.name) // ['ar', 'fastcoder@auto', 'fastcoder@clairvoyant']
 */
export function replayModes(modes: ModeSpec[], list: string): ReplayMode[] {
  const words = list.split(',').map((b) => b.trim());
  const budgets = words.filter((b) => b !== CLAIRVOYANT).map((b) => parseBudget(b));
  if (budgets.length === words.length) return sweepModes(modes, budgets);
  const at = (m: ModeSpec, budget: string) => ({ ...m, name: `${m.name}@${budget}` });
  return modes.flatMap((m) => (m.options.mode === 'ar' ? [m] : [...budgets.map((b) => ({ ...at(m, String(b)), budget: b })), { ...at(m, CLAIRVOYANT), clairvoyant: true }]));
}
const CLAIRVOYANT = 'clairvoyant';

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: {
      dataset: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' }, 'common-index': { type: 'string' }, profile: { type: 'string' }, 'true-profile': { type: 'string' },
      budget: { type: 'string' }, 'draft-ms': { type: 'string' }, repos: { type: 'string' }, modes: { type: 'string' }, targets: { type: 'string' }, 'max-prompt-tokens': { type: 'string' }, 'max-new-tokens': { type: 'string' },
      limit: { type: 'string' }, out: { type: 'string' },
    },
  });
  if ((v.dataset !== 'humaneval' && v.dataset !== 'repoeval') || !v.data || !v.tokenizer || !v['common-index'] || !v.profile || !v.budget) {
    console.error('usage: replay-budget.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds> --profile <json> --budget 1,3,auto[,clairvoyant] [--modes a,b] [--targets results.json] [--true-profile json] [--draft-ms X] [--repos dir|tar.gz] [--max-prompt-tokens N] [--max-new-tokens N] [--limit N] [--out json]');
    return 2;
  }
  const { tokenizer, vocabSize, commonIndex, eos, tasks, repoIndexFor, target } = replayData({ ...v, dataset: v.dataset, data: v.data, tokenizer: v.tokenizer, 'common-index': v['common-index'] });
  const profile = readProfile(v.profile);
  const charged = v['true-profile'] ? readProfile(v['true-profile']) : profile; // what the forwards cost in virtual time
  const draftMs = v['draft-ms'] === undefined ? 0 : Number(v['draft-ms']);
  if (!Number.isFinite(draftMs) || draftMs < 0) {
    console.error(`replay-budget: --draft-ms must be a number >= 0, got '${v['draft-ms']}'`);
    return 2;
  }
  const modes = replayModes(parseModes(`ar,${v.modes ?? 'fastcoder,fastcoder-plus'}`), v.budget);
  const maxPromptTokens = intFlag('max-prompt-tokens', v['max-prompt-tokens'], 0); // 0: the whole prompt
  const maxNew = intFlag('max-new-tokens', v['max-new-tokens'], Infinity);
  const totals = new Map(modes.map((m) => [m.name, { ms: 0, tokens: 0, forwards: 0, nodes: 0, calibration: emptyCalibration() }]));
  for (const task of tasks) {
    const ids = promptIds(tokenizer, task.prompt, maxPromptTokens);
    const { generated, script, maxNewTokens: toTarget } = target(task);
    const maxNewTokens = Math.min(maxNew, toTarget);
    const repoIndex = await repoIndexFor(task);
    for (const m of modes) {
      const clock = new VirtualClock();
      const model = createOracle(script, { vocabSize, prompt: ids, eosId: eos, costModel: virtualCostModel(charged, vocabSize, clock) });
      const stepBudget = m.clairvoyant ? clairvoyantBudget(generated, ids.length, profile, () => model.cacheLength) : undefined;
      const options = { ...m.options, budget: m.budget ?? 0, stepBudget, costProfile: profile, maxNewTokens, eosIds: [eos], commonIndex, ...(repoIndex ? { repoIndex } : { repo: false as const }) };
      const t = totals.get(m.name)!;
      const r = await replayGeneration(model, tokenizer, ids, options, clock, draftMs, t.calibration);
      for (const k of ['ms', 'tokens', 'forwards', 'nodes'] as const) t[k] += r[k];
    }
  }
  const ar = totals.get('ar')!;
  const rows = [...totals].map(([mode, t]) => ({ mode, speedup: ar.ms / ar.tokens / (t.ms / t.tokens), acceptance: t.tokens / t.forwards, nodesPerForward: t.nodes / t.forwards, msPerToken: t.ms / t.tokens, calibration: t.calibration }));
  console.log(`virtual-time replay, ${v.dataset}, ${tasks.length} tasks, profile ${path.basename(v.profile)} (${profile.key.shape})${v['true-profile'] ? `, forwards charged by ${path.basename(v['true-profile'])}` : ''}, targets: ${v.targets ?? 'reference code'}, drafting ${draftMs} ms per drafted step`);
  console.log('mode                      speedup   L/F     nodes/forward   ms/token');
  for (const r of rows) console.log(`${r.mode.padEnd(24)}  ${r.speedup.toFixed(3)}x   ${r.acceptance.toFixed(3)}   ${r.nodesPerForward.toFixed(2).padStart(8)}        ${r.msPerToken.toFixed(3)}`);
  const calibrated = rows.filter((r) => r.calibration.buckets.length > 0);
  if (calibrated.length > 0) console.log("\nauto's expected acceptance (Σ ρ·P) / accepted of the nodes it verified, by rank, and of the nodes in batch reads:");
  for (const r of calibrated) console.log(`${r.mode.padEnd(24)}  ${describeCalibration(r.calibration)}`);
  if (v.out) writeFileAtomic(v.out, JSON.stringify({ dataset: v.dataset, profile: v.profile, trueProfile: v['true-profile'] ?? null, targets: v.targets ?? null, draftMs, tasks: tasks.length, rows }, null, 1) + '\n');
  return 0;
}

if (require.main === module) runEntryPoint('replay-budget', main);
