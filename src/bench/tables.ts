/**
 * Markdown summaries of a results file, laid out like the paper's tables: Table I (ms/token and speedup per method),
 * Table II (the ablation rows against the full method) and Table IV (acceptance length L/F of REST vs FastCoder, per
 * repository for RepoEval), and with a budget sweep (`--budget 3,7,auto`, modes named `<mode>@<budget>`) speedup against
 * budget.
 */
import type { BenchResults, ModeAggregate } from './results';

/** The four methods of Table I; every other mode is an ablation row (Table II). */
export const MAIN_MODES = ['ar', 'pld', 'rest', 'fastcoder'];

const f2 = (x: number): string => x.toFixed(2);
/** A ratio to ar as a cell: '1.50×', or '–' without an ar run. Example: times(null) → '–' */
export const times = (x: number | null): string => (x === null ? '–' : `${f2(x)}×`);
const speedup = (a: ModeAggregate): string => times(a.speedup);
const stepCost = (a: ModeAggregate): string => times(a.stepCost);
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
 * A results key split into mode and budget. Example: modeBudget('fastcoder@auto') // { mode: 'fastcoder', budget: 'auto' }
 */
export function modeBudget(key: string): { mode: string; budget: string | null } {
  const at = key.lastIndexOf('@');
  return at < 0 ? { mode: key, budget: null } : { mode: key.slice(0, at), budget: key.slice(at + 1) };
}

const isMain = (key: string): boolean => MAIN_MODES.includes(modeBudget(key).mode);

/**
 * The axes of a budget sweep: its budgets and the modes run at each; null for a one-budget run.
 * Example: config budget [3, 'auto'], modes ar, fastcoder@3, fastcoder@auto → { budgets: ['3', 'auto'], modes: ['fastcoder'] }
 */
export function sweepAxes(r: BenchResults): { budgets: string[]; modes: string[] } | null {
  if (!Array.isArray(r.config.budget) || r.config.budget.length < 2) return null;
  const modes = [...new Set(r.config.modes.map(modeBudget).filter((k) => k.budget !== null).map((k) => k.mode))];
  return { budgets: r.config.budget.map(String), modes };
}

/**
 * Table I: one row per main mode (at each budget of a sweep): mean ms/token, speedup vs ar (of the means), L/F, nodes
 * verified per forward, what a step cost against a greedy one (ar's), outputs identical to ar, then the per-task median
 * ms/token with its interquartile range and the median of the per-task speedups (a noisy machine moves means more than
 * medians). L/F ÷ step cost is the speedup of the totals: what each step gains against what it costs.
 */
export function tableI(r: BenchResults): string {
  const rows = r.config.modes.filter((m) => isMain(m) && r.aggregates[m]).map((m) => {
    const a = r.aggregates[m];
    const spread = `${f2(a.msPerTokenMedian)} [${f2(a.msPerTokenIqr[0])}–${f2(a.msPerTokenIqr[1])}]`;
    const medianSpeedup = a.taskSpeedup === null ? '–' : `${f2(a.taskSpeedup.median)}×`;
    return [m, f2(a.msPerToken), speedup(a), f2(a.acceptance), f2(a.meanTree), stepCost(a), `${a.identicalToAr}/${a.tasks}`, spread, medianSpeedup];
  });
  return markdownTable(['method', 'ms/token', 'speedup', 'L/F', 'tree', 'step ×ar', 'identical to ar', 'median ms/token [IQR]', 'median speedup'], rows);
}

/** Table II: the full method, then each ablation row, with speedup, L/F and the retrieval statistics. */
export function tableII(r: BenchResults): string {
  const full = r.config.modes.filter((m) => modeBudget(m).mode === 'fastcoder');
  const modes = [...full, ...r.config.modes.filter((m) => !isMain(m))].filter((m) => r.aggregates[m]);
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
 * Speedup against budget: one row per drafting mode, one column per budget of the sweep, each cell
 * `speedup× [per-task median, min–max] (L/F, nodes per forward, step cost ×ar)`; '' when the run has one budget.
 *
 * Example: for modes ar, fastcoder@3, fastcoder@auto → '| mode | 3 | auto |\n...| fastcoder | 1.10× [1.08, 0.90–1.40] (1.80, 2.90, 1.64×) | ... |'
 */
export function budgetTable(r: BenchResults): string {
  const axes = sweepAxes(r);
  if (!axes) return '';
  const { budgets, modes } = axes;
  const spread = (a: ModeAggregate) => (a.taskSpeedup ? ` [${f2(a.taskSpeedup.median)}, ${f2(a.taskSpeedup.min)}–${f2(a.taskSpeedup.max)}]` : '');
  const cell = (a: ModeAggregate | undefined) => (a ? `${speedup(a)}${spread(a)} (${f2(a.acceptance)}, ${f2(a.meanTree)}, ${stepCost(a)})` : '–');
  return markdownTable(['mode', ...budgets], modes.map((m) => [m, ...budgets.map((b) => cell(r.aggregates[`${m}@${b}`]))]));
}

/**
 * The whole Markdown summary: a title line naming the dataset and the target, then Tables I, II, IV.
 *
 * Example: markdownSummary(readResults('results.json')) // '## humaneval, oracle target (12 tasks)\n\n### Table I ...'
 */
export function markdownSummary(r: BenchResults): string {
  const target = r.config.oracle ? `oracle target${r.config.oracleCost ? `, forward cost ${r.config.oracleCost}` : ''}` : `model ${r.config.model}`;
  const tasks = new Set(r.results.map((x) => x.task)).size;
  const budget = Array.isArray(r.config.budget) ? r.config.budget.join(', ') : r.config.budget ?? 'not recorded';
  const runs = (r.config.repeat ?? 1) > 1 ? `, median of ${r.config.repeat} runs each` : '';
  const parts = [`## ${r.config.dataset}, ${target} (${tasks} tasks${runs}, D_c ${r.config.commonIndex ?? 'none'}, cache scope ${r.config.cacheScope}, draft budget ${budget})`];
  parts.push('### Table I: decoding speed (tree: draft nodes verified per forward; step ×ar: decode time per forward over a greedy step\'s)', tableI(r));
  const sweep = budgetTable(r);
  if (sweep) parts.push('### Speedup against draft budget: speedup [per-task median, min–max] (L/F, tree, step ×ar)', sweep);
  if (r.config.modes.some((m) => !isMain(m))) parts.push('### Table II: ablation', tableII(r));
  parts.push('### Table IV: acceptance length L/F', tableIV(r));
  return parts.join('\n\n') + '\n';
}
