/**
 * Markdown summaries of a results file, laid out like the paper's tables: Table I (ms/token and speedup per method),
 * Table II (the ablation rows against the full method) and Table IV (acceptance length L/F of REST vs FastCoder, per
 * repository for RepoEval).
 */
import type { BenchResults, ModeAggregate } from './results';

/** The four methods of Table I; every other mode is an ablation row (Table II). */
export const MAIN_MODES = ['ar', 'pld', 'rest', 'fastcoder'];

const f2 = (x: number): string => x.toFixed(2);
const speedup = (a: ModeAggregate): string => (a.speedup === null ? '–' : `${f2(a.speedup)}×`);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * A Markdown table from a header row and body rows.
 *
 * Example: markdownTable(['a', 'b'], [['1', '2']]) // '| a | b |\n| --- | ---: |\n| 1 | 2 |'
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/**
 * Table I: one row per main mode: mean ms/token, speedup vs ar (of the means), L/F, outputs identical to ar, then the
 * per-task median ms/token with its interquartile range and the median of the per-task speedups.
 */
export function tableI(r: BenchResults): string {
  const rows = MAIN_MODES.filter((m) => r.aggregates[m]).map((m) => {
    const a = r.aggregates[m];
    const spread = `${f2(a.msPerTokenMedian)} [${f2(a.msPerTokenIqr[0])}–${f2(a.msPerTokenIqr[1])}]`;
    const medianSpeedup = a.speedupMedian === null ? '–' : `${f2(a.speedupMedian)}×`;
    return [m, f2(a.msPerToken), speedup(a), f2(a.acceptance), `${a.identicalToAr}/${a.tasks}`, spread, medianSpeedup];
  });
  return markdownTable(['method', 'ms/token', 'speedup', 'L/F', 'identical to ar', 'median ms/token [IQR]', 'median speedup'], rows);
}

/** Table II: the full method, then each ablation row, with speedup, L/F and the retrieval statistics. */
export function tableII(r: BenchResults): string {
  const modes = ['fastcoder', ...r.config.modes.filter((m) => !MAIN_MODES.includes(m))].filter((m) => r.aggregates[m]);
  const rows = modes.map((m) => {
    const a = r.aggregates[m];
    return [m, f2(a.msPerToken), speedup(a), f2(a.acceptance), pct(a.cacheHitRate), pct(a.skippedByTimingShare), pct(a.missingTableShare)];
  });
  return markdownTable(['configuration', 'ms/token', 'speedup', 'L/F', 'cache hits', 'skipped (timing)', 'skipped (missing table)'], rows);
}

/** Table IV: acceptance length L/F of every retrieval mode, overall and per repository. */
export function tableIV(r: BenchResults): string {
  const modes = r.config.modes.filter((m) => m !== 'ar' && r.aggregates[m]);
  const repos = Object.keys(r.byRepo);
  const header = ['method', ...repos, 'all'];
  const rows = modes.map((m) => [m, ...repos.map((repo) => (r.byRepo[repo][m] ? f2(r.byRepo[repo][m].acceptance) : '–')), f2(r.aggregates[m].acceptance)]);
  return markdownTable(header, rows);
}

/**
 * The whole Markdown summary: a title line naming the dataset and the target, then Tables I, II, IV.
 *
 * Example: markdownSummary(readResults('results.json')) // '## humaneval, oracle target (12 tasks)\n\n### Table I ...'
 */
export function markdownSummary(r: BenchResults): string {
  const target = r.config.oracle ? `oracle target${r.config.oracleCost ? `, forward cost ${r.config.oracleCost}` : ''}` : `model ${r.config.model}`;
  const tasks = new Set(r.results.map((x) => x.task)).size;
  const parts = [`## ${r.config.dataset}, ${target} (${tasks} tasks, D_c ${r.config.commonIndex ?? 'none'}, cache scope ${r.config.cacheScope}, draft budget ${r.config.budget ?? 'not recorded'})`];
  parts.push('### Table I: decoding speed', tableI(r));
  if (r.config.modes.some((m) => !MAIN_MODES.includes(m))) parts.push('### Table II: ablation', tableII(r));
  parts.push('### Table IV: acceptance length L/F', tableIV(r));
  return parts.join('\n\n') + '\n';
}
