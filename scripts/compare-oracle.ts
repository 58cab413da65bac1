/**
 * `npx tsx scripts/compare-oracle.ts <results.json> <reference.json> [--map mode=drafter,...] [--show N] [--out <json>]`
 *
 * Task-by-task comparison of an oracle bench run (`fastcoder bench --oracle --out results.json`) with the per-task
 * results of the independent implementation in `../shared/reference/oracle/*.json` (its README gives the rules). For
 * each mode: token-weighted L/F of both, the difference, and the tasks whose [tokens, forward steps] differ (the first
 * `--show` of them, with both pairs). Prints a table; `--out` also writes the comparison as JSON.
 *
 * Example:
 *   npx tsx scripts/compare-oracle.ts out/repoeval.json ../shared/reference/oracle/repoeval-eos.json
 *   // mode        ours   ref    diff    tasks  differ
 *   // fastcoder   2.8..  2.828  ...     355    12   (CarperAI_trlx/28: ours [95, 20] ref [95, 21]) ...
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import type { BenchResults } from '../src/bench/results';
import { runEntryPoint } from '../src/cli/entry';
import { readJsonFile } from '../util/json-file';

/** Bench mode → reference drafter, where the reference follows the same rules. */
const DEFAULT_MAP: Record<string, string> = { pld: 'pld', rest: 'rest', fastcoder: 'fc', 'w/o-timing': 'fc_noskip', 'w/o-cache': 'fc_nocache', '+cache0': 'fc_cache0' };

interface Reference {
  task_names: string[];
  drafters: Record<string, { LF_token_weighted: number; per_task_L_steps: [number, number][] }>;
}

export interface ModeComparison {
  mode: string;
  drafter: string;
  tasks: number; // tasks present in both
  ours: number; // token-weighted L/F over those tasks
  reference: number;
  differ: { task: string; ours: [number, number]; reference: [number, number] }[];
}

/** The reference's name of a bench task: `<repo>/<line index>` for RepoEval, the task id for HumanEval. */
function referenceName(row: { task: string; repo: string | null }): string {
  return row.repo ? `${row.repo}/${row.task}` : row.task;
}

/** Compare every mapped mode of `results` with `ref`. Example: compare(results, ref, { pld: 'pld' })[0].differ.length */
export function compare(results: BenchResults, ref: Reference, map: Record<string, string>): ModeComparison[] {
  const index = new Map(ref.task_names.map((n, i) => [n, i]));
  const out: ModeComparison[] = [];
  for (const [mode, drafter] of Object.entries(map)) {
    const d = ref.drafters[drafter];
    const rows = results.results.filter((r) => r.mode === mode);
    if (!d || rows.length === 0) continue;
    let oursL = 0, oursF = 0, refL = 0, refF = 0;
    const differ: ModeComparison['differ'] = [];
    for (const row of rows) {
      const name = referenceName(row);
      const i = index.get(name);
      if (i === undefined) throw new Error(`${name}: not among the reference's tasks`);
      const theirs = d.per_task_L_steps[i];
      oursL += row.generated; oursF += row.forwards; refL += theirs[0]; refF += theirs[1];
      if (row.generated !== theirs[0] || row.forwards !== theirs[1]) differ.push({ task: name, ours: [row.generated, row.forwards], reference: theirs });
    }
    out.push({ mode, drafter, tasks: rows.length, ours: oursL / oursF, reference: refL / refF, differ });
  }
  return out;
}

async function main(): Promise<number> {
  const { values: v, positionals } = parseArgs({ allowPositionals: true, options: { map: { type: 'string' }, show: { type: 'string' }, out: { type: 'string' } } });
  if (positionals.length !== 2) {
    console.error('usage: compare-oracle.ts <results.json> <reference.json> [--map mode=drafter,...] [--show N] [--out <json>]');
    return 2;
  }
  const [resultsFile, refFile] = positionals;
  const map = v.map ? Object.fromEntries(v.map.split(',').map((kv) => kv.split('=') as [string, string])) : DEFAULT_MAP;
  const rows = compare(readJsonFile(resultsFile) as BenchResults, readJsonFile(refFile) as Reference, map);
  const show = Number(v.show ?? 8);
  console.log('mode                 drafter     tasks   ours    ref     diff    differ');
  for (const r of rows) {
    console.log(`${r.mode.padEnd(20)} ${r.drafter.padEnd(11)} ${String(r.tasks).padStart(5)}   ${r.ours.toFixed(3)}   ${r.reference.toFixed(3)}   ${(r.ours - r.reference >= 0 ? '+' : '') + (r.ours - r.reference).toFixed(3)}  ${r.differ.length}`);
    for (const d of r.differ.slice(0, show)) console.log(`    ${d.task}: ours [${d.ours}] ref [${d.reference}]`);
  }
  if (v.out) fs.writeFileSync(v.out, JSON.stringify(rows, null, 1));
  return 0;
}

if (require.main === module) runEntryPoint('compare-oracle', main);
