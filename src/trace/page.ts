/**
 * The trace page (`fastcoder trace <trace.jsonl> --html out.html`): a header with the model, mode, draft budget and
 * prompt; the generated code with every token coloured by its source (cache / D_r / D_c / model, the paper's Fig. 7);
 * tokens per step split by source; a heatmap of retrieval success by token position within the line (Fig. 3 / 6a);
 * and the step's retrieval decisions on hover.
 */
import type { StepTrace } from './types';
import { escapeHtml, htmlPage, htmlTable, metaList, scriptJson, SOURCE_COLOURS } from '../html/page';
import { heatmap, HeatCell, stackedBarChart } from '../html/svg';
import type { Trace } from './reader';

const SOURCE_NAMES: Record<string, string> = { repo: 'D_r (repository)', common: 'D_c (common)', cache: 'cache', lookup: 'prompt lookup', model: 'model (bonus token)' };

/** What the page shows beyond the trace file: the model it ran (a directory or a description; default: the header's). */
export interface TracePageMeta {
  model?: string;
}

/** Positions within the line shown as heatmap columns; the last one collects everything from there on. */
export const POSITION_BUCKETS = 12;

/** The accepted draft tokens of a step (its bonus token, from the model, excluded). */
const draftAccepted = (s: StepTrace) => s.accepted.filter((a) => a.node >= 0).length;

/** Special tokens as tokenizers decode them: DeepSeek's `<｜…｜>`, `<|…|>`, Llama's `<s>`, `</s>`, `<unk>`. */
const SPECIAL = /<｜[^<>｜]{1,60}｜>|<\|[^<>|\s]{1,60}\|>|<\/?s>|<unk>/g;

/** A short name for a special token. Example: specialName('<｜begin▁of▁sentence｜>') → 'BOS'; specialName('<|fim_hole|>') → 'fim_hole' */
export function specialName(t: string): string {
  if (t === '<s>' || /begin.of.(sentence|text)/.test(t)) return 'BOS';
  if (t === '</s>' || /end.?of.?(sentence|text)/.test(t)) return 'EOS';
  return t.replace(/^<[｜|]?|[｜|]?>$/g, '').replace(/▁/g, ' ');
}

/**
 * Text for HTML with each special token shown as a small labelled badge (its full text in the tooltip), not as its
 * raw characters, which most fonts lack (they render as missing-glyph boxes).
 *
 * Example: textHtml('<｜begin▁of▁sentence｜>def') → '<span class="special" title="&lt;｜begin▁of▁sentence｜&gt;">BOS</span>def'
 */
export function textHtml(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(SPECIAL)) {
    out += escapeHtml(text.slice(last, m.index)) + `<span class="special" title="${escapeHtml(m[0])}">${escapeHtml(specialName(m[0]))}</span>`;
    last = m.index! + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

function codeHtml(trace: Trace): string {
  const spans = trace.steps.flatMap((s) =>
    s.accepted.map((a) => `<span class="tok src-${a.source}" data-step="${s.step}">${textHtml(a.text)}</span>`),
  );
  return `<pre class="code"><span class="prompt">${textHtml(trace.header.promptText)}</span>${spans.join('')}</pre>`;
}

/** Per step, accepted tokens by source, in the order of SOURCE_NAMES (the model's bonus token last). */
function stepsChart(steps: StepTrace[]): string {
  const sources = Object.keys(SOURCE_NAMES).filter((src) => steps.some((s) => s.accepted.some((a) => a.source === src)));
  const series = sources.map((src) => ({
    name: SOURCE_NAMES[src],
    colour: SOURCE_COLOURS[src],
    values: steps.map((s) => s.accepted.filter((a) => a.source === src).length),
  }));
  return stackedBarChart('tokens accepted per step, by source', steps.map((s) => String(s.step)), series, 'step');
}

/**
 * The draft budget as run: fixed, or `auto` with the mean tree it chose. Example: ('auto', steps of 2 and 4 nodes) →
 * 'auto: chosen per step from the cost model (3.0 draft tokens per forward on average)'
 */
function budgetText(budget: unknown, steps: StepTrace[]): string {
  if (typeof budget === 'number') return `${budget} draft tokens per forward`;
  if (budget !== 'auto') return 'not recorded';
  const mean = steps.reduce((n, s) => n + s.draft.tokens.length, 0) / Math.max(1, steps.length);
  return `auto: chosen per step from the cost model (${mean.toFixed(1)} draft tokens per forward on average)`;
}

/** The run's settings: model, mode, draft budget, prompt. */
function headerList(trace: Trace, model: string | undefined): string {
  const h = trace.header;
  const budget = h.options.budget;
  const draftless = h.mode === 'ar';
  const promptLines = h.promptText.split('\n').length;
  return metaList([
    ['model', model ?? 'not recorded in the trace'],
    ['mode', h.mode],
    ['draft budget', draftless ? 'none (plain greedy decoding: no drafts)' : budgetText(budget, trace.steps)],
    ['prompt', `${h.promptTokens.length} tokens, ${promptLines} lines (grey in the code below)`],
    ['steps', `${trace.steps.length} verification forwards`],
  ]);
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
    for (const x of s.retrieval.sources) lines.push(`  ${x.source}: match ${x.matchLength} tokens ×${x.matchCount}, ${x.candidates} with a continuation, ${x.ms.toFixed(2)} ms`);
  }
  const t = s.timing;
  lines.push(`time: retrieve ${t.retrieveMs.toFixed(2)}, trie ${t.trieMs.toFixed(2)}, forward ${t.forwardMs.toFixed(2)}, commit ${t.commitMs.toFixed(2)}, other ${t.otherMs.toFixed(2)} ms`);
  if (s.batch > 1) lines.push(`argmax of rows 0-${s.batch - 1} read at once, the accepted rows beyond them one by one`);
  if (s.expected?.length) lines.push(`auto expected: ${s.expected.map((e, i) => `node ${i} ${e.toFixed(2)}`).join(', ')} (ρ·P, the acceptance it counted on)`);
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
 * Example: fs.writeFileSync('trace.html', tracePage(readTrace('trace.jsonl'), { model: 'models/tiny-coder-dsc' }))
 */
export function tracePage(trace: Trace, meta: TracePageMeta = {}): string {
  const model = meta.model ?? trace.header.model;
  const counts: Record<string, number> = { cache: 0, repo: 0, common: 0, lookup: 0, model: 0 };
  for (const s of trace.steps) for (const a of s.accepted) counts[a.source] = (counts[a.source] ?? 0) + 1;
  const legend = Object.entries(SOURCE_NAMES).map(([k, name]) => `<span class="src-${k}">${escapeHtml(name)}: ${counts[k] ?? 0}</span>`).join('');
  const heat = positionHeat(trace.steps);
  const info = Object.fromEntries(trace.steps.map((s) => [s.step, stepInfo(s)]));
  const body = [
    `<h1>fastcoder trace: ${escapeHtml(trace.header.mode)}${model ? ` on ${escapeHtml(model)}` : ''}</h1>`,
    headerList(trace, model),
    summaryTable(trace),
    `<h2>Generated code, by token source</h2><p class="legend">${legend}</p>`,
    '<p class="note">Grey text is the prompt; special tokens are shown as labels (BOS, EOS). Hover a token to see its step\'s retrieval decisions; the step\'s tokens are outlined.</p>',
    codeHtml(trace),
    `<h2>Tokens per step</h2>${stepsChart(trace.steps)}`,
    '<p class="note">Each bar is one verification forward: the draft tokens it accepted, coloured by the source that proposed them, and the token the model adds itself.</p>',
    `<h2>Retrieval success by token position within the line</h2>${heatmap('share of steps', heat.rows, heat.cols, heat.cells, 'position of the step\'s first token within its line')}`,
    '<div id="tip"></div>',
    `<script type="application/json" id="step-info">${scriptJson(info)}</script>`,
  ].join('\n');
  return htmlPage(`fastcoder trace (${trace.header.mode})`, body, HOVER_SCRIPT);
}
