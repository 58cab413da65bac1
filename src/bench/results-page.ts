/**
 * The results page (`fastcoder report <results.json> --html out.html`): the paper-style tables (I, II, IV) and charts
 * of speedup and L/F per mode, and L/F and speedup per mode for each repository.
 */
import type { BenchResults, ModeAggregate } from './results';
import { budgetSection } from './budget-chart';
import { MAIN_MODES } from './tables';
import { escapeHtml, htmlPage, htmlTable } from '../html/page';
import { barChart } from '../html/svg';

const f2 = (x: number | null): string => (x === null ? '–' : x.toFixed(2));
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function modeRows(r: BenchResults, modes: string[]): string[][] {
  return modes.map((m) => {
    const a = r.aggregates[m];
    return [m, String(a.tasks), f2(a.msPerToken), a.speedup === null ? '–' : `${f2(a.speedup)}×`, f2(a.acceptance), f2(a.meanAcceptance),
      `${a.identicalToAr}/${a.tasks}`, pct(a.cacheHitRate), pct(a.skippedByTimingShare), pct(a.missingTableShare)];
  });
}

const MODE_HEADER = ['mode', 'tasks', 'ms/token', 'speedup', 'L/F', 'mean L/F', 'identical to ar', 'cache hits', 'skipped (timing)', 'skipped (missing table)'];

function repoSection(r: BenchResults, modes: string[]): string {
  const repos = Object.keys(r.byRepo);
  if (!repos.length) return '';
  const pick = (f: (a: ModeAggregate) => number | null) => (m: string) => ({ name: m, values: repos.map((repo) => (r.byRepo[repo][m] ? f(r.byRepo[repo][m]) : null)) });
  const retrieval = modes.filter((m) => m !== 'ar');
  const table = htmlTable(['method', ...repos, 'all'], retrieval.map((m) => [m, ...repos.map((repo) => f2(r.byRepo[repo][m]?.acceptance ?? null)), f2(r.aggregates[m].acceptance)]));
  return [
    '<h2>Table IV: acceptance length L/F per repository</h2>',
    table,
    barChart('L/F per repository', repos, retrieval.map(pick((a) => a.acceptance)), 1),
    barChart('speedup vs ar per repository', repos, retrieval.map(pick((a) => a.speedup)), 1),
  ].join('\n');
}

function timeSplit(r: BenchResults, modes: string[]): string {
  const rows = modes.map((m) => {
    const t = r.aggregates[m].time;
    const total = t.retrieveMs + t.trieMs + t.forwardMs + t.commitMs + t.otherMs || 1;
    return [m, ...[t.retrieveMs, t.trieMs, t.forwardMs, t.commitMs, t.otherMs].map((x) => pct(x / total))];
  });
  return htmlTable(['mode', 'retrieve', 'trie', 'forward', 'commit', 'other'], rows);
}

/**
 * The whole results page as one HTML string; one table row per mode in the per-mode table, one per (task, mode) in
 * the per-task table.
 *
 * Example: fs.writeFileSync('report.html', resultsPage(readResults('results.json')))
 */
export function resultsPage(r: BenchResults): string {
  const modes = r.config.modes.filter((m) => r.aggregates[m]);
  const main = MAIN_MODES.filter((m) => r.aggregates[m]);
  const ablation = ['fastcoder', ...modes.filter((m) => !MAIN_MODES.includes(m))].filter((m) => r.aggregates[m]);
  const c = r.config;
  const target = c.oracle ? `oracle target (its greedy output is the task reference code${c.oracleCost ? `; forward cost ${c.oracleCost}` : ''})` : `model ${c.model}${c.backend ? ` (${c.backend})` : ''}`;
  const tasks = r.results.map((x) => [x.task, x.repo ?? '', x.mode, String(x.generated), String(x.forwards), f2(x.acceptance), f2(x.msPerToken), x.identicalToAr ? 'yes' : 'NO']);
  const body = [
    `<h1>fastcoder benchmark: ${escapeHtml(c.dataset)}</h1>`,
    `<p>${escapeHtml(`${target}; data ${c.data}; D_c ${c.commonIndex ?? 'none'}; cache scope ${c.cacheScope}; max ${c.maxNewTokens} new tokens; seed ${c.seed}`)}</p>`,
    '<h2>Table I: decoding speed per method</h2>',
    htmlTable(MODE_HEADER, modeRows(r, main), 'modes'),
    barChart('speedup vs ar', ['all'], modes.map((m) => ({ name: m, values: [r.aggregates[m].speedup] })), 1),
    barChart('L/F (tokens per forward)', ['all'], modes.map((m) => ({ name: m, values: [r.aggregates[m].acceptance] })), 1),
    budgetSection(r),
    ablation.length > 1 ? `<h2>Table II: ablation</h2>${htmlTable(MODE_HEADER, modeRows(r, ablation), 'ablation')}` : '',
    repoSection(r, modes),
    '<h2>Where the time goes (share of step time)</h2>',
    timeSplit(r, modes),
    `<h2>Per task (${tasks.length} rows)</h2>`,
    htmlTable(['task', 'repository', 'mode', 'L', 'F', 'L/F', 'ms/token', 'identical'], tasks, 'tasks'),
  ].join('\n');
  return htmlPage(`fastcoder benchmark (${c.dataset})`, body);
}
