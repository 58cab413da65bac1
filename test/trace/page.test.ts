import { parseTrace } from '../../src/trace/reader';
import { positionHeat, specialName, textHtml, tracePage } from '../../src/trace/page';
import { makeTrace, step, toJsonl } from './make-trace';

// A 3-step trace: "    return x < 1\n" (prompt 'def f(x):\n').
const trace = makeTrace([
  step(0, 0, [['    return', 'repo'], [' x', 'repo'], [' <', 'model']]),
  step(1, 3, [[' 1', 'common'], ['\n', 'model']], 0),
  step(2, 0, [['</script>', 'model']], 0),
]);

describe('parseTrace', () => {
  it('round-trips header, steps and summary', () => {
    const t = parseTrace(toJsonl(trace), 't.jsonl');
    expect(t.steps).toHaveLength(3);
    expect(t.summary?.metrics.generated).toBe(6);
  });
  it.each([
    ['', 't.jsonl: empty trace'],
    ['{"kind":"step"}\n', 't.jsonl:1: the first line must be the trace header'],
    ['{"kind":"header"}\n{oops\n', 't.jsonl:2: not valid JSON'],
    ['{"kind":"header"}\n{"kind":"bogus"}\n', 't.jsonl:2: unknown line kind "bogus"'],
    ['{"kind":"header"}\n{"kind":"step","accepted":[]}\n', 't.jsonl:2: step line lacks accepted/draft/timing'],
  ])('rejects %j with a message naming the line', (text, message) => {
    expect(() => parseTrace(text, 't.jsonl')).toThrow(message);
  });
});

describe('positionHeat', () => {
  const heat = positionHeat(trace.steps);
  const cell = (row: string, col: number) => heat.cells[heat.rows.indexOf(row)][col];
  it('shares of steps per position, hand-computed', () => {
    // position 0: steps 0 and 2; only step 0 found a match and accepted (from repo)
    expect(cell('match found', 0)).toEqual({ value: 0.5, label: '1/2 steps' });
    expect(cell('draft accepted', 0)).toEqual({ value: 0.5, label: '1/2 steps' });
    expect(cell('accepted from repo', 0)).toEqual({ value: 0.5, label: '1/2 steps' });
    // position 3: step 1, no match but a D_c token accepted
    expect(cell('match found', 3)).toEqual({ value: 0, label: '0/1 steps' });
    expect(cell('accepted from common', 3)).toEqual({ value: 1, label: '1/1 steps' });
    expect(cell('draft accepted', 1)).toEqual({ value: null, label: 'no steps' });
  });
});

describe('tracePage', () => {
  const html = tracePage(trace);
  it('renders one coloured span per generated token, by source', () => {
    expect(html.match(/class="tok src-/g)).toHaveLength(6);
    expect(html.match(/class="tok src-repo"/g)).toHaveLength(2);
    expect(html.match(/class="tok src-common"/g)).toHaveLength(1);
    expect(html.match(/class="tok src-model"/g)).toHaveLength(3);
  });
  it('escapes token text, so code cannot end the page script', () => {
    expect(html).toContain('&lt;/script&gt;');
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the step-info JSON and the hover script
  });
  it('references nothing outside the page', () => {
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });
  it("says in a step's hover text which rows' argmaxes were read at once, and nothing when they were read row by row", () => {
    const batched = tracePage(makeTrace([{ ...step(0, 0, [[' x', 'repo'], [' <', 'model']]), batch: 4 }, step(1, 2, [[' 1', 'model']])]));
    expect(batched.match(/argmax of rows 0-3 read at once, the accepted rows beyond them one by one/g)).toHaveLength(1);
    expect(html).not.toContain('read at once');
  });
  it("shows in a step's hover text what auto expected of each verified node, and nothing for a fixed budget", () => {
    const auto = tracePage(makeTrace([{ ...step(0, 0, [[' x', 'repo'], [' <', 'model']]), expected: [0.6, 0.36] }]));
    expect(auto).toContain('auto expected: node 0 0.60, node 1 0.36 (ρ·P, the acceptance it counted on)');
    expect(html).not.toContain('auto expected');
  });
});

describe('trace page header and charts', () => {
  const bos = '<｜begin▁of▁sentence｜>';
  const t = makeTrace([step(0, 0, [['    return', 'repo'], [' x', 'repo'], [' <', 'model']]), step(1, 3, [[' 1', 'common'], ['<｜end▁of▁sentence｜>', 'model']], 0)], `${bos}def f(x):\n`);
  t.header.options = { budget: 64 };
  const html = tracePage(t, { model: 'models/tiny-coder-dsc' });
  it('names the model, mode, draft budget and prompt in a header', () => {
    expect(html).toContain('<dt>model</dt><dd>models/tiny-coder-dsc</dd>');
    expect(html).toContain('<dt>mode</dt><dd>fastcoder</dd>');
    expect(html).toContain('<dt>draft budget</dt><dd>64 draft tokens per forward</dd>');
    expect(html).toContain('<dt>prompt</dt><dd>3 tokens, 2 lines');
    expect(tracePage({ ...t, header: { ...t.header, model: 'from-the-header' } })).toContain('<dt>model</dt><dd>from-the-header</dd>');
    expect(tracePage({ ...t, header: { ...t.header, mode: 'ar', options: {} } })).toContain('<dt>draft budget</dt><dd>none (plain greedy decoding: no drafts)</dd>');
    const mean = t.steps.reduce((n, s) => n + s.draft.tokens.length, 0) / t.steps.length;
    expect(tracePage({ ...t, header: { ...t.header, options: { budget: 'auto' } } })).toContain(`<dd>auto: chosen per step from the cost model (${mean.toFixed(1)} draft tokens per forward on average)</dd>`);
  });
  it('shows BOS and EOS as labels, never their raw characters', () => {
    const code = html.match(/<pre class="code">(.*?)<\/pre>/s)![1];
    expect(code).toContain(`<span class="special" title="&lt;｜begin▁of▁sentence｜&gt;">BOS</span>def f(x):`);
    expect(code).toContain('>EOS</span>');
    expect(code.replace(/title="[^"]*"/g, '')).not.toContain('｜');
  });
  it.each([
    ['<｜begin▁of▁sentence｜>', 'BOS'], ['<s>', 'BOS'], ['</s>', 'EOS'], ['<|endoftext|>', 'EOS'], ['<｜fim▁hole｜>', 'fim hole'], ['<unk>', 'unk'],
  ])('specialName(%j) = %j', (t, name) => expect(specialName(t)).toBe(name));
  it('leaves ordinary text alone, escaped', () => expect(textHtml('a < b <sx>')).toBe('a &lt; b &lt;sx&gt;'));
  it('per-step bars are split by source, with integer ticks', () => {
    const titles = [...html.matchAll(/<rect class="bar"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(['step 0 · D_r (repository): 2 (total 3)', 'step 0 · model (bonus token): 1 (total 3)', 'step 1 · D_c (common): 1 (total 2)', 'step 1 · model (bonus token): 1 (total 2)']);
    expect(html).toMatch(/text-anchor="end">3<\/text>/); // the top tick
  });
  it('the heatmap has a legend: its colour scale and the no-data grey', () => {
    const legend = html.match(/<g class="legend">(.*?)<\/g>/)![1];
    expect(legend.match(/>\d+%</g)).toEqual(['>0%<', '>25%<', '>50%<', '>75%<', '>100%<']);
    expect(legend).toContain('>no steps<');
  });
});
