/**
 * The trace page (`fastcoder trace <trace.jsonl> --html out.html`): the generated code with every token coloured by
 * its source (cache / D_r / D_c / model, the paper's Fig. 7), per-step acceptance lengths as a chart, a heatmap of
 * retrieval success by token position within the line (Fig. 3 / 6a), and the step's retrieval decisions on hover.
 */
import type { StepTrace } from './types';
import { escapeHtml, htmlPage, htmlTable, scriptJson } from '../html/page';
import { barChart, heatmap, HeatCell } from '../html/svg';
import type { Trace } from './reader';

const SOURCE_NAMES: Record<string, string> = { cache: 'cache', repo: 'D_r (repository)', common: 'D_c (common)', lookup: 'prompt lookup', model: 'model' };

/** Positions within the line shown as heatmap columns; the last one collects everything from there on. */
export const POSITION_BUCKETS = 12;

/** The accepted draft tokens of a step (its bonus token, from the model, excluded). */
const draftAccepted = (s: StepTrace) => s.accepted.filter((a) => a.node >= 0).length;

function codeHtml(trace: Trace): string {
  const spans = trace.steps.flatMap((s) =>
    s.accepted.map((a) => `<span class="tok src-${a.source}" data-step="${s.step}">${escapeHtml(a.text)}</span>`),
  );
  return `<pre class="code"><span class="prompt">${escapeHtml(trace.header.promptText)}</span>${spans.join('')}</pre>`;
}

/**
 * Heatmap cells: rows = "retrieval found a match", "a draft token accepted", and one row per source whose draft was
 * accepted; columns = position of the step's first token within its line. Each cell is a share of the steps there.
 *
 * Example: two steps at position 0, one accepting a D_r token → row 'accepted', column 0: { value: 0.5, label: '1/2 steps' }
 */
export function positionHeat(steps: StepTrace[]): { rows: string[]; cols: string[]; cells: HeatCell[][] } {
  const cols = Array.from({ length: POSITION_BUCKETS }, (_, i) => (i === POSITION_BUCKETS - 1 ? `${i}+` : String(i)));
  const tests: [string, (s: StepTrace) => boolean][] = [
    ['match found', (s) => (s.retrieval?.sources ?? []).some((x) => x.matchLength > 0)],
    ['draft accepted', (s) => draftAccepted(s) > 0],
    ...(['cache', 'repo', 'common'] as const).map((src): [string, (s: StepTrace) => boolean] => [
      `accepted from ${src}`,
      (s) => s.accepted.some((a) => a.node >= 0 && a.sources.includes(src)),
    ]),
  ];
  const byPos: StepTrace[][] = cols.map(() => []);
  for (const s of steps) byPos[Math.min(s.tokenInLine, POSITION_BUCKETS - 1)].push(s);
  const cells = tests.map(([, test]) =>
    byPos.map((group) => {
      const hit = group.filter(test).length;
      return group.length ? { value: hit / group.length, label: `${hit}/${group.length} steps` } : { value: null, label: 'no steps' };
    }),
  );
  return { rows: tests.map(([name]) => name), cols, cells };
}

/** What the hover box shows for each step (indexed by step number). */
function stepInfo(s: StepTrace): string {
  const lines = [`step ${s.step}: ${s.accepted.length} token(s), ${draftAccepted(s)} from the draft of ${s.draft.tokens.length}`];
  const d = s.retrieval?.decision;
  if (!s.retrieval || !d) lines.push('no retrieval (ar)');
  else {
    lines.push(`cache active ${d.cacheActive}, cache hit ${d.cacheHit}, line start ${d.lineStart}` + (d.coin === null ? '' : `, coin ${d.coin.toFixed(3)}`));
    lines.push(`skipped by timing ${d.skipped}, missing table ${d.missingTableHit}, parallel ${d.parallel}, ${d.ms.toFixed(2)} ms`);
    for (const x of s.retrieval.sources) lines.push(`  ${x.source}: match ${x.matchLength} tokens ×${x.matchCount}, ${x.candidates} continuations, ${x.ms.toFixed(2)} ms`);
  }
  const t = s.timing;
  lines.push(`time: retrieve ${t.retrieveMs.toFixed(2)}, trie ${t.trieMs.toFixed(2)}, forward ${t.forwardMs.toFixed(2)}, commit ${t.commitMs.toFixed(2)}, other ${t.otherMs.toFixed(2)} ms`);
  lines.push(`sources: ${s.accepted.map((a) => `${JSON.stringify(a.text)}←${a.sources.join('+') || a.source}`).join(' ')}`);
  return lines.join('\n');
}

const HOVER_SCRIPT = `
(function () {
  var info = JSON.parse(document.getElementById('step-info').textContent);
  var tip = document.getElementById('tip');
  function mark(step, on) {
    document.querySelectorAll('.tok[data-step="' + step + '"]').forEach(function (e) { e.classList.toggle('hl', on); });
  }
  document.querySelectorAll('.tok').forEach(function (el) {
    el.addEventListener('mouseenter', function () { tip.textContent = info[el.dataset.step]; tip.style.display = 'block'; mark(el.dataset.step, true); });
    el.addEventListener('mousemove', function (e) { tip.style.left = (e.clientX + 14) + 'px'; tip.style.top = (e.clientY + 14) + 'px'; });
    el.addEventListener('mouseleave', function () { tip.style.display = 'none'; mark(el.dataset.step, false); });
  });
})();`;

function summaryTable(trace: Trace): string {
  const m = trace.summary?.metrics;
  if (!m) return '<p class="note">No summary line: the generation did not finish.</p>';
  return htmlTable(
    ['mode', 'L (tokens)', 'F (forwards)', 'L/F', 'ms/token', 'prefill ms', 'retrievals', 'cache hits', 'skipped (timing)', 'missing table', 'stop'],
    [[trace.header.mode, String(m.generated), String(m.forwards), m.acceptance.toFixed(2), m.msPerToken.toFixed(2), m.prefillMs.toFixed(1),
      String(m.retrievals), String(m.cacheHits), String(m.skippedByTiming), String(m.missingTableHits), trace.summary!.stopReason]],
  );
}

/**
 * The whole trace page as one HTML string.
 *
 * Example: fs.writeFileSync('trace.html', tracePage(readTrace('trace.jsonl')))
 */
export function tracePage(trace: Trace): string {
  const counts: Record<string, number> = { cache: 0, repo: 0, common: 0, lookup: 0, model: 0 };
  for (const s of trace.steps) for (const a of s.accepted) counts[a.source] = (counts[a.source] ?? 0) + 1;
  const legend = Object.entries(SOURCE_NAMES).map(([k, name]) => `<span class="src-${k}">${escapeHtml(name)}: ${counts[k] ?? 0}</span>`).join('');
  const stepsChart = barChart(
    'tokens accepted per step (draft tokens + the model\'s bonus token)',
    trace.steps.map((s) => String(s.step)),
    [{ name: 'accepted', values: trace.steps.map((s) => s.accepted.length) }],
    1,
  );
  const heat = positionHeat(trace.steps);
  const info = Object.fromEntries(trace.steps.map((s) => [s.step, stepInfo(s)]));
  const body = [
    `<h1>fastcoder trace: ${escapeHtml(trace.header.mode)}, ${trace.steps.length} steps</h1>`,
    summaryTable(trace),
    `<h2>Generated code, by token source</h2><p class="legend">${legend}</p>`,
    '<p class="note">Grey text is the prompt. Hover a token to see its step\'s retrieval decisions; the step\'s tokens are outlined.</p>',
    codeHtml(trace),
    `<h2>Acceptance per step</h2>${stepsChart}`,
    `<h2>Retrieval success by token position within the line</h2>${heatmap('share of steps', heat.rows, heat.cols, heat.cells)}`,
    '<div id="tip"></div>',
    `<script type="application/json" id="step-info">${scriptJson(info)}</script>`,
  ].join('\n');
  return htmlPage(`fastcoder trace (${trace.header.mode})`, body, HOVER_SCRIPT);
}
