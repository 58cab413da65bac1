/**
 * Both pages in a real headless Chromium: no console errors, the expected number of tokens / rows, and the hover box.
 * Without Chromium this check alone is skipped, loudly; `.ci/run` installs Chromium and sets FASTCODER_REQUIRE_CHROMIUM=1.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkPage, findChromium } from './chromium';
import { resultsPage } from '../../src/bench/results-page';
import { tracePage } from '../../src/trace/page';
import { makeTrace, step } from '../trace/make-trace';
import { sampleResults } from '../bench/sample-results';

const chromium = findChromium();
if (!chromium && process.env.FASTCODER_REQUIRE_CHROMIUM) throw new Error('FASTCODER_REQUIRE_CHROMIUM is set but no chromium was found');
if (!chromium) {
  console.warn('\n*** NO CHROMIUM FOUND: the headless-browser check of the HTML pages is SKIPPED (apt-get install chromium, or set $CHROMIUM) ***\n');
}
const browserIt = chromium ? it : it.skip;

/** Pairs of chart texts (labels, ticks, values, legends) whose boxes overlap, as a person would see them. */
const OVERLAPS = `(() => {
  const bad = [];
  document.querySelectorAll('svg').forEach((svg, k) => {
    const boxes = [...svg.querySelectorAll('text')].map((t) => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i][1], boxes[j][1]];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) bad.push(k + ': ' + boxes[i][0] + ' / ' + boxes[j][0]);
    }
  });
  return bad;
})()`;

/** Chart texts that stick out of their chart (cut off on the page). */
const CLIPPED = `(() => {
  const bad = [];
  document.querySelectorAll('svg').forEach((svg, k) => {
    const box = svg.getBoundingClientRect();
    svg.querySelectorAll('text').forEach((t) => {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) bad.push(k + ': ' + t.textContent);
    });
  });
  return bad;
})()`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-browser-'));

describe('HTML pages in headless Chromium', () => {
  browserIt('the trace page loads cleanly, shows every token, and hovering a token shows its step', async () => {
    const trace = makeTrace([step(0, 0, [['    return', 'repo'], [' x', 'cache'], ['\n', 'model']]), step(1, 0, [['<b>', 'common'], ['</script>', 'model']])], '<｜begin▁of▁sentence｜>def f(x):\n');
    const file = path.join(dir, 'trace.html');
    fs.writeFileSync(file, tracePage(trace));
    const { errors, values } = await checkPage(chromium!, file, {
      tokens: "document.querySelectorAll('pre.code .tok').length",
      code: "document.querySelector('pre.code').textContent",
      tip: "(() => { const e = document.querySelectorAll('.tok')[3]; e.dispatchEvent(new MouseEvent('mouseenter')); return document.getElementById('tip').textContent; })()",
      outlined: "document.querySelectorAll('.tok.hl').length",
      overlaps: OVERLAPS,
      clipped: CLIPPED,
      badges: "[...document.querySelectorAll('pre.code .special')].map((e) => e.textContent)",
    });
    expect(errors).toEqual([]);
    expect(values.tokens).toBe(5);
    expect(values.code).toBe('BOSdef f(x):\n    return x\n<b></script>');
    expect(values.tip).toMatch(/^step 1: 2 token\(s\), 1 from the draft of 3/);
    expect(values.outlined).toBe(2);
    expect(values.overlaps).toEqual([]);
    expect(values.clipped).toEqual([]);
    expect(values.badges).toEqual(['BOS']);
  });

  browserIt('the results page loads cleanly with one row per (task, mode) and its charts', async () => {
    const r = sampleResults();
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, resultsPage(r));
    const { errors, values } = await checkPage(chromium!, file, {
      taskRows: "document.querySelectorAll('table.tasks tr').length - 1",
      modeRows: "document.querySelectorAll('table.modes tr').length - 1",
      charts: "document.querySelectorAll('svg').length",
      bars: "document.querySelectorAll('svg rect.bar').length",
      overlaps: OVERLAPS,
      clipped: CLIPPED,
    });
    expect(errors).toEqual([]);
    expect(values.taskRows).toBe(r.results.length);
    expect(values.modeRows).toBe(4);
    expect(values.charts).toBe(4); // speedup, L/F, and per repository L/F and speedup
    expect(values.bars).toBe(5 + 5 + 2 * 4 + 2 * 4); // 5 modes overall ×2 charts, 4 retrieval modes × 2 repos ×2 charts
    expect(values.overlaps).toEqual([]);
    expect(values.clipped).toEqual([]);
  });
});
