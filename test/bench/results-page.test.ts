import { TaskResult, withAggregates } from '../../src/bench/results';
import { modeColours, resultsPage } from '../../src/bench/results-page';
import { sampleResults } from './sample-results';

/** Every bar's (mode, fill) pair: bars carry a `<title>` "category · mode: value". */
function barFills(html: string): [string, string][] {
  return [...html.matchAll(/<rect class="bar"[^>]* fill="([^"]+)"><title>[^<]*? · ([^:<]+): /g)].map((m) => [m[2], m[1]]);
}

describe('resultsPage', () => {
  const r = sampleResults();
  const html = resultsPage(r);
  const table = (cls: string) => html.match(new RegExp(`<table class="${cls}">(.*?)</table>`))![1];
  const rows = (cls: string) => table(cls).match(/<tr>/g)!.length - 1;
  it('one Table I row per main mode, one ablation row per ablation mode plus fastcoder, one row per (task, mode)', () => {
    expect(rows('modes')).toBe(4);
    expect(rows('ablation')).toBe(2);
    expect(rows('tasks')).toBe(r.results.length);
  });
  it('Table I shows the hand-computed fastcoder row (ar 20 ms vs 8 ms per token; L/F 20/11)', () => {
    expect(table('modes')).toContain('<td>fastcoder</td><td>2</td><td>8.00</td><td>2.50×</td><td>1.82</td>');
    // mean L/F (2 + 1.6) / 2; a step (8·12 + 8·8) / 11 forwards = 14.55 ms, against ar's 20 ms per token and forward
    expect(table('modes')).toContain('<td>1.82</td><td>1.80</td><td>0.73×</td><td>2/2</td>');
    expect(html).toContain('<th>step ×ar</th>');
  });
  it('flags a task whose output differs from ar', () => {
    expect(html).toContain('<td>NO</td>');
  });
  it('charts per repository when the results have repositories, none otherwise', () => {
    expect(html).toContain('L/F per repository');
    const he = withAggregates({ ...r.config, dataset: 'humaneval' }, r.results.map((x): TaskResult => ({ ...x, repo: null })));
    expect(resultsPage(he)).not.toContain('L/F per repository');
  });
  it('names the model (here the oracle and its forward cost), the dataset and the draft budget', () => {
    expect(html).toContain('<dt>model</dt><dd>oracle (its greedy output is each task&#39;s reference code; tokenizer t), forward cost 20 ms</dd>');
    expect(html).toContain('<dt>dataset</dt><dd>repoeval: 2 tasks from d</dd>');
    expect(html).toContain('<dt>draft budget</dt><dd>64 draft tokens per forward</dd>');
    const real = resultsPage({ ...r, config: { ...r.config, oracle: false, model: 'models/tiny-coder-dsc', backend: 'wasm' } });
    expect(real).toContain('<dt>model</dt><dd>models/tiny-coder-dsc on the wasm backend</dd>');
  });
  it('a mode has one colour in every chart, and two modes never share one', () => {
    const fills = barFills(html);
    expect(new Set(fills.map(([m]) => m))).toEqual(new Set(r.config.modes));
    const byMode = new Map<string, Set<string>>();
    for (const [m, f] of fills) byMode.set(m, (byMode.get(m) ?? new Set()).add(f));
    for (const [m, set] of byMode) expect({ m, colours: [...set] }).toEqual({ m, colours: [modeColours(r.config.modes)[m]] });
    expect(new Set([...byMode.values()].map((s) => [...s][0])).size).toBe(byMode.size);
  });
  it('the four methods keep their colours whatever else ran', () => {
    expect(modeColours(['fastcoder', 'w/o-repo']).fastcoder).toBe(modeColours(['ar', 'pld', 'rest', 'fastcoder']).fastcoder);
  });
  it('repository names are written in full in the charts', () => {
    for (const repo of ['amazon-science_patchcore-inspection', 'lucidrains_imagen-pytorch']) expect(html).toContain(`text-anchor="end">${repo}</text>`);
  });
  it('with a 0 ms oracle forward, no speedup is shown and the page says why', () => {
    for (const oracleCost of ['0 ms', undefined]) {
      const free = resultsPage({ ...r, config: { ...r.config, oracleCost } });
      expect(free).not.toContain('speedup vs ar');
      expect(free).not.toMatch(/<td>\d+\.\d\d×<\/td>/);
      expect(free).toContain("The oracle's forward costs 0 ms in this run");
      expect(free).toContain('L/F per repository');
    }
    expect(html).toContain('speedup vs ar per repository');
  });
});
