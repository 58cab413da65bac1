import { TaskResult, withAggregates } from '../../src/bench/results';
import { resultsPage } from '../../src/bench/results-page';
import { sampleResults } from './sample-results';

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
  });
  it('flags a task whose output differs from ar', () => {
    expect(html).toContain('<td>NO</td>');
  });
  it('charts per repository when the results have repositories, none otherwise', () => {
    expect(html).toContain('L/F per repository');
    const he = withAggregates({ ...r.config, dataset: 'humaneval' }, r.results.map((x): TaskResult => ({ ...x, repo: null })));
    expect(resultsPage(he)).not.toContain('L/F per repository');
  });
});
