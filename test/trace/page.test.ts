import { parseTrace } from '../../src/trace/reader';
import { positionHeat, tracePage } from '../../src/trace/page';
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
});
