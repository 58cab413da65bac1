/**
 * The results page (`fastcoder report <results.json> --html out.html`): the run's settings, the paper-style tables
 * (I, II, IV) and charts of speedup and L/F per mode, and L/F and speedup per mode for each repository. A mode has one
 * colour in every chart. With a free (0 ms) oracle forward, speedups compare decoder overheads only, so they are left out.
 */
import type { BenchConfig, BenchResults, ModeAggregate } from './results';
import { budgetSection } from './budget-chart';
import { MAIN_MODES, times } from './tables';
import { escapeHtml, htmlPage, htmlTable, metaList } from '../html/page';
import { hbarChart, PALETTE, Series } from '../html/svg';

const f2 = (x: number | null): string => (x === null ? '–' : x.toFixed(2));
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The four methods' fixed colours (fastcoder red, as in the paper's figures); other modes take the palette's rest. */
const MODE_COLOURS: Record<string, string> = { ar: '#9c9c9c', pld: '#f28e2b', rest: '#4e79a7', fastcoder: '#e15759' };

/**
 * One colour per mode of the run, the same in every chart of the page.
 *
 * Example: modeColours(['ar', 'fastcoder', 'w/o-repo']) → { ar: '#9c9c9c', fastcoder: '#e15759', 'w/o-repo': '#59a14f' }
 */
export function modeColours(modes: string[]): Record<string, string> {
  const free = PALETTE.filter((c) => !Object.values(MODE_COLOURS).includes(c));
  let next = 0;
  return Object.fromEntries(modes.map((m) => [m, MODE_COLOURS[m] ?? free[next++ % free.length]]));
}

/**
 * Whether the run's times mean anything: false for an oracle whose forward cost nothing (`--oracle` without
 * `--oracle-cost-ms` / `--oracle-cost-model`; files written before the cost was recorded had no other choice).
 *
 * Example: timesMeaningful({ oracle: true, oracleCost: '0 ms', ... }) → false
 */
export function timesMeaningful(c: BenchConfig): boolean {
  return !c.oracle || (c.oracleCost !== undefined && c.oracleCost !== '0 ms');
}

function modeRows(r: BenchResults, modes: string[]): string[][] {
  const timed = timesMeaningful(r.config);
  return modes.map((m) => {
    const a = r.aggregates[m];
    return [m, String(a.tasks), f2(a.msPerToken), times(timed ? a.speedup : null), f2(a.acceptance), f2(a.meanAcceptance), times(timed ? a.stepCost : null),
      `${a.identicalToAr}/${a.tasks}`, pct(a.cacheHitRate), pct(a.skippedByTimingShare), pct(a.missingTableShare)];
  });
}

const MODE_HEADER = ['mode', 'tasks', 'ms/token', 'speedup', 'L/F', 'mean L/F', 'step ×ar', 'identical to ar', 'cache hits', 'skipped (timing)', 'skipped (missing table)'];

function repoSection(r: BenchResults, modes: string[], colours: Record<string, string>): string {
  const repos = Object.keys(r.byRepo);
  if (!repos.length) return '';
  const pick = (f: (a: ModeAggregate) => number | null) => (m: string): Series => ({ name: m, colour: colours[m], values: repos.map((repo) => (r.byRepo[repo][m] ? f(r.byRepo[repo][m]) : null)) });
  const retrieval = modes.filter((m) => m !== 'ar');
  const table = htmlTable(['method', ...repos, 'all'], retrieval.map((m) => [m, ...repos.map((repo) => f2(r.byRepo[repo][m]?.acceptance ?? null)), f2(r.aggregates[m].acceptance)]));
  return [
    '<h2>Table IV: acceptance length L/F per repository</h2>',
    table,
    hbarChart('L/F per repository', repos, retrieval.map(pick((a) => a.acceptance)), 1),
    timesMeaningful(r.config) ? hbarChart('speedup vs ar per repository', repos, retrieval.map(pick((a) => a.speedup)), 1) : '',
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

/** The run's settings: what was decoded, by which target, with which datastores and draft budget. */
function settings(r: BenchResults): string {
  const c = r.config;
  const target = c.oracle
    ? `oracle (its greedy output is each task's reference code; tokenizer ${c.tokenizer}), forward cost ${c.oracleCost ?? '0 ms'}`
    : `${c.model}${c.backend ? ` on the ${c.backend} backend${c.wasmThreads ? ` (${c.wasmThreads} threads)` : ''}` : ''}`;
  const tasks = new Set(r.results.map((x) => x.task)).size;
  return metaList([
    ['model', target],
    ['dataset', `${c.dataset}: ${tasks} tasks from ${c.data}`],
    ['draft budget', c.budget === undefined ? 'not recorded' : `${c.budget} draft tokens per forward`],
    ['D_c', c.commonIndex ?? 'none'],
    ['decoding', `at most ${c.maxNewTokens} new tokens; retrieval cache per ${c.cacheScope}; seed ${c.seed}`],
  ]);
}

const FREE_FORWARD_NOTE =
  '<p class="note">The oracle\'s forward costs 0 ms in this run, so ms/token is the decoder\'s own overhead (retrieval, ' +
  'Trie, bookkeeping) and a speedup against ar would compare overheads, not decoding speed: it is left out. L/F ' +
  '(tokens per forward) is what this run measures. Give the oracle a forward cost (--oracle-cost-ms, ' +
  '--oracle-cost-model) to time it.</p>';

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
  const colours = modeColours(modes);
  const c = r.config;
  const timed = timesMeaningful(c);
  const overall = (f: (a: ModeAggregate) => number | null): Series[] => modes.map((m) => ({ name: m, colour: colours[m], values: [f(r.aggregates[m])] }));
  const runLabel = [`${new Set(r.results.map((x) => x.task)).size} tasks`];
  const tasks = r.results.map((x) => [x.task, x.repo ?? '', x.mode, String(x.generated), String(x.forwards), f2(x.acceptance), f2(x.msPerToken), x.identicalToAr ? 'yes' : 'NO']);
  const body = [
    `<h1>fastcoder benchmark: ${escapeHtml(c.dataset)}</h1>`,
    settings(r),
    '<h2>Table I: decoding speed per method</h2>',
    timed ? '' : FREE_FORWARD_NOTE,
    htmlTable(MODE_HEADER, modeRows(r, main), 'modes'),
    timed ? hbarChart('speedup vs ar (ms/token of ar ÷ ms/token of the mode)', runLabel, overall((a) => a.speedup), 1) : '',
    hbarChart('L/F (tokens per forward)', runLabel, overall((a) => a.acceptance), 1),
    budgetSection(r),
    ablation.length > 1 ? `<h2>Table II: ablation</h2>${htmlTable(MODE_HEADER, modeRows(r, ablation), 'ablation')}` : '',
    repoSection(r, modes, colours),
    '<h2>Where the time goes (share of step time)</h2>',
    timeSplit(r, modes),
    `<h2>Per task (${tasks.length} rows)</h2>`,
    htmlTable(['task', 'repository', 'mode', 'L', 'F', 'L/F', 'ms/token', 'identical'], tasks, 'tasks'),
  ].join('\n');
  return htmlPage(`fastcoder benchmark (${c.dataset})`, body);
}
