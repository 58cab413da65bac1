import { budgetSection } from '../../src/bench/budget-chart';
import { withAggregates } from '../../src/bench/results';
import { resultsPage } from '../../src/bench/results-page';
import { sampleResults } from './sample-results';

/** The sample's rows renamed into a sweep: ar once, pld and rest at budgets 3 and auto. */
function sweep() {
  const r = sampleResults();
  const rename: Record<string, string> = { pld: 'pld@3', rest: 'pld@auto', fastcoder: 'rest@3', 'fastcoder-no-cache': 'rest@auto' };
  const rows = r.results.map((x) => ({ ...x, mode: rename[x.mode] ?? x.mode }));
  return withAggregates({ ...r.config, modes: ['ar', 'pld@3', 'pld@auto', 'rest@3', 'rest@auto'], budget: [3, 'auto'] }, rows);
}

describe('budget chart', () => {
  test('one bar per mode and budget, a row per (mode, budget) with the aggregates', () => {
    const r = sweep();
    const html = budgetSection(r);
    expect(html).toContain('<h2>Speedup against draft budget</h2>');
    expect((html.match(/<rect class="bar"/g) ?? []).length).toBe(2 * 2 * 2); // 2 charts × 2 modes × 2 budgets
    const a = r.aggregates['rest@auto'];
    expect(html).toContain(`<td>rest</td><td>auto</td><td>${a.msPerToken.toFixed(2)}</td><td>${a.speedup!.toFixed(2)}×</td>`);
    expect(html).toContain(`<td>${a.meanTree.toFixed(2)}</td><td>${a.stepCost!.toFixed(2)}×</td><td>${a.identicalToAr}/${a.tasks}</td>`); // step cost beside the tree
    expect(resultsPage(r)).toContain('<h2>Speedup against draft budget</h2>');
  });

  test('nothing for a one-budget run', () => {
    expect(budgetSection(sampleResults())).toBe('');
    expect(resultsPage(sampleResults())).not.toContain('against draft budget');
  });
});
