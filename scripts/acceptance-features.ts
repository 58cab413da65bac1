/**
 * `npx tsx scripts/acceptance-features.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds>
 *    [--targets <results.json>] [--repos <dir|tar.gz>] [--modes fastcoder,fastcoder-plus] [--budget 64]
 *    [--max-prompt-tokens N] [--limit N] [--out nodes.jsonl]`
 *
 * What predicts that a draft node is accepted, from what is known before the verify forward. Each task is replayed with
 * the oracle (its reference code, or with `--targets` the tokens a model generated, as in scripts/replay-budget.ts) at a
 * fixed budget, and every node that a step's greedy tokens decide is a record (`nodeRecords`: the trials `auto`'s κ
 * learns from, src/decode/budget.ts): its κ group, source and evidence, its share of its parent's weight, its counts,
 * the sources' match lengths, the step's context, the previous step's accepted nodes, and whether it was accepted.
 * Prints, per κ group, the acceptance rate, `auto`'s estimate before any learning (share × prior κ, capped at 1) and how
 * well it and single features rank accepted above rejected nodes (AUC: 0.5 = no better than chance). Writes the
 * records as JSONL (`--out`), to fit other estimators on them.
 *
 * Example (tiny-coder-dsc's own HumanEval outputs):
 *   npx tsx scripts/acceptance-features.ts --dataset humaneval --data ../shared/data/humaneval/HumanEval.jsonl.gz \
 *     --tokenizer models/tiny-coder-dsc --common-index .cache/dc.fcds --targets out/tiny-he.json --max-prompt-tokens 512
 */
import { parseArgs } from 'util';
import type { DraftSource } from '../retrieval/types';
import type { DraftTree } from '../trie/draft-tree';
import { parseModes } from '../src/bench/modes';
import { promptIds } from '../src/bench/run';
import { runEntryPoint } from '../src/cli/entry';
import { intFlag } from '../src/cli/flags';
import { BudgetChooser, evidence, kappaGroup, LEARNED_AS, learnedAs, parseBudget, weightRatios } from '../src/decode/budget';
import { flatProfile } from '../src/decode/cost-model';
import { generate } from '../src/decode/generate';
import { createOracle } from '../src/decode/oracle';
import type { StepTrace } from '../src/trace/types';
import { writeFileAtomic } from '../util/atomic-file';
import { replayData } from './replay-budget';


/** One decided draft node: what was known before the forward, and the outcome. */
export interface NodeRecord {
  step: number;
  node: number; // index in the step's draft tree
  depth: number;
  group: 'best' | 'rivals' | 'deeper'; // its κ group (`kappaGroup`)
  source: (typeof LEARNED_AS)[number]; // the source whose κ it uses (`learnedAs`)
  evidence: 'few' | 'many';
  share: number; // its weight over its parent's (`weightRatios`)
  prior: number; // `auto`'s estimate before any learning: share × the prior κ of its group, source and evidence, capped at 1
  count: number; // occurrences that drafted it, all sources
  parentCount: number; // the same for its parent (0 for the root's children)
  siblings: number; // nodes with its parent, itself included
  matchLength: Partial<Record<DraftSource, number>>; // each searched source's longest suffix match this step
  contextLength: number;
  tokenInLine: number;
  previousAccepted: number; // nodes the previous step accepted (-1: it verified none, or this is the first step)
  accepted: 0 | 1;
}

/** A step's draft as a DraftTree (a trace omits prompt-lookup counts when there were none). */
function treeOf(step: StepTrace): DraftTree {
  const d = step.draft;
  return { ...d, counts: { ...d.counts, lookup: d.counts.lookup ?? d.tokens.map(() => 0) } };
}

/**
 * The nodes a step's greedy tokens decide: children of the root, then the children of each accepted node, as far as the
 * step's tokens reach (accepted tokens, then the bonus). `prior` comes from a fresh chooser's estimates (κ at its priors).
 * Example: tree a (weight 3), b (1) under the root and c under a; greedy tokens [a, x] → a accepted, b not, c not
 */
export function nodeRecords(step: StepTrace, previousAccepted: number): NodeRecord[] {
  const tree = treeOf(step);
  const shares = weightRatios(tree);
  const p = new BudgetChooser(flatProfile(0), () => 0).nodeProbabilities(tree); // path products: a node's own estimate is p / p(parent)
  const tokens = step.accepted.map((a) => a.token);
  const total = (i: number) => LEARNED_AS.reduce((s, src) => s + tree.counts[src][i], 0);
  const matchLength = Object.fromEntries((step.retrieval?.sources ?? []).map((s) => [s.source, s.matchLength]));
  const records: NodeRecord[] = [];
  for (let depth = 0, parent = -1; depth < tokens.length; depth++) {
    const children = tree.parents.flatMap((q, i) => (q === parent ? [i] : []));
    for (const i of children) {
      const parentP = parent < 0 ? 1 : p[parent];
      records.push({
        step: step.step, node: i, depth, group: kappaGroup(tree, i), source: LEARNED_AS[learnedAs(tree, i)], evidence: evidence(tree, i), share: shares[i],
        prior: parentP > 0 ? p[i] / parentP : 0, count: total(i), parentCount: parent < 0 ? 0 : total(parent), siblings: children.length, matchLength,
        contextLength: step.contextLength, tokenInLine: step.tokenInLine, previousAccepted, accepted: tree.tokens[i] === tokens[depth] ? 1 : 0,
      });
    }
    parent = children.find((i) => tree.tokens[i] === tokens[depth]) ?? -1;
    if (parent < 0) break;
  }
  return records;
}

/**
 * How often a score ranks an accepted record above a rejected one (ties count half): the area under the ROC curve.
 * Example: auc([0.9, 0.2, 0.5], [1, 0, 0]) → 1; auc([0.1, 0.9], [1, 0]) → 0; auc([1, 1], [1, 0]) → 0.5
 */
export function auc(scores: readonly number[], accepted: readonly number[]): number {
  const order = scores.map((s, i) => [s, accepted[i]]).sort((a, b) => a[0] - b[0]);
  let rankSum = 0; // of the accepted, ties at their mean rank
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j][0] === order[i][0]) j++;
    for (let k = i; k < j; k++) if (order[k][1]) rankSum += (i + j + 1) / 2;
    i = j;
  }
  const pos = accepted.filter(Boolean).length;
  const neg = accepted.length - pos;
  return pos === 0 || neg === 0 ? NaN : (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Single features scored by AUC in the table: the estimate, then what it is made of or leaves out. */
const FEATURES: [string, (r: NodeRecord) => number][] = [
  ['prior', (r) => r.prior],
  ['share', (r) => r.share],
  ['count', (r) => r.count],
  ['match', (r) => r.matchLength[r.source === 'lookup' ? 'cache' : r.source] ?? 0],
  ['prev', (r) => r.previousAccepted],
];

/** The table's row for a set of records. */
function summary(name: string, rs: NodeRecord[]): string {
  const accepted = rs.map((r) => r.accepted);
  const rate = accepted.reduce<number>((s, a) => s + a, 0) / rs.length;
  const prior = rs.reduce((s, r) => s + r.prior, 0) / rs.length;
  const aucs = FEATURES.map(([, f]) => auc(rs.map(f), accepted).toFixed(3).padStart(6));
  return `${name.padEnd(26)} ${String(rs.length).padStart(7)} ${rate.toFixed(3).padStart(8)} ${prior.toFixed(3).padStart(8)}   ${aucs.join(' ')}`;
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: {
      dataset: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' }, 'common-index': { type: 'string' }, targets: { type: 'string' }, repos: { type: 'string' },
      modes: { type: 'string' }, budget: { type: 'string' }, 'max-prompt-tokens': { type: 'string' }, limit: { type: 'string' }, out: { type: 'string' },
    },
  });
  if ((v.dataset !== 'humaneval' && v.dataset !== 'repoeval') || !v.data || !v.tokenizer || !v['common-index']) {
    console.error('usage: acceptance-features.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds> [--targets results.json] [--repos dir|tar.gz] [--modes a,b] [--budget N] [--max-prompt-tokens N] [--limit N] [--out nodes.jsonl]');
    return 2;
  }
  const { tokenizer, vocabSize, commonIndex, eos, tasks, repoIndexFor, target } = replayData({ ...v, dataset: v.dataset, data: v.data, tokenizer: v.tokenizer, 'common-index': v['common-index'] });
  const modes = parseModes(v.modes ?? 'fastcoder,fastcoder-plus').filter((m) => m.options.mode !== 'ar');
  const budget = parseBudget(v.budget ?? '64');
  if (budget === 'auto') throw new Error('--budget: a fixed size, so that every step drafts its whole tree (auto trims it by the estimates studied here)');
  const maxPromptTokens = intFlag('max-prompt-tokens', v['max-prompt-tokens'], 0);
  const lines: string[] = [];
  console.log(`acceptance features, ${v.dataset}, ${tasks.length} tasks, budget ${budget}, targets: ${v.targets ?? 'reference code'}`);
  console.log(`${'mode / κ group'.padEnd(26)} ${'nodes'.padStart(7)} ${'accepted'.padStart(8)} ${'prior'.padStart(8)}   AUC: ${FEATURES.map(([n]) => n.padStart(6)).join(' ')}`);
  for (const m of modes) {
    const records: NodeRecord[] = [];
    for (const task of tasks) {
      const ids = promptIds(tokenizer, task.prompt, maxPromptTokens);
      const { script, maxNewTokens } = target(task);
      const oracle = createOracle(script, { vocabSize, prompt: ids, eosId: eos });
      const repoIndex = await repoIndexFor(task);
      let previousAccepted = -1;
      await generate(oracle, tokenizer, ids, {
        ...m.options, budget, maxNewTokens, eosIds: [eos], commonIndex, ...(repoIndex ? { repoIndex } : { repo: false as const }),
        onStep: (step) => {
          const rs = nodeRecords(step, previousAccepted);
          records.push(...rs);
          for (const r of rs) lines.push(JSON.stringify({ mode: m.name, task: task.id, ...r }));
          previousAccepted = step.draft.tokens.length > 0 ? step.accepted.length - 1 : -1;
        },
      });
    }
    console.log(summary(m.name, records));
    for (const g of ['best', 'rivals', 'deeper'] as const) console.log(summary(`  ${g}`, records.filter((r) => r.group === g)));
  }
  if (v.out) writeFileAtomic(v.out, lines.join('\n') + '\n');
  return 0;
}

if (require.main === module) runEntryPoint('acceptance-features', main);
