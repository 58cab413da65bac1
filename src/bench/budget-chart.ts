/**
 * The results page's budget section (a sweep `bench --budget 3,7,15,63,auto`): speedup against ar and L/F at each
 * budget, one bar per drafting mode, and the table of `tables.ts` `budgetTable` as HTML. Empty for a one-budget run.
 *
 * Example: budgetSection(readResults('sweep.json')) // '<h2>Speedup against draft budget</h2>...<svg ...>...'
 */
import { htmlTable } from '../html/page';
import { barChart } from '../html/svg';
import type { BenchResults } from './results';
import { sweepAxes, times } from './tables';

const f2 = (x: number): string => x.toFixed(2);

export function budgetSection(r: BenchResults): string {
  const axes = sweepAxes(r);
  if (!axes) return '';
  const { budgets, modes } = axes;
  const at = (m: string, b: string) => r.aggregates[`${m}@${b}`];
  const series = (f: (m: string, b: string) => number | null) => modes.map((m) => ({ name: m, values: budgets.map((b) => f(m, b)) }));
  const rows = modes.flatMap((m) => budgets.filter((b) => at(m, b)).map((b) => {
    const a = at(m, b);
    return [m, b, f2(a.msPerToken), times(a.speedup), f2(a.acceptance), f2(a.meanTree), times(a.stepCost), `${a.identicalToAr}/${a.tasks}`];
  }));
  return [
    '<h2>Speedup against draft budget</h2>',
    '<p>Every mode at every budget, interleaved per task in one run (ar once); tree = draft nodes verified per forward (auto: chosen per step from the cost model); step ×ar = decode time per forward over a greedy step\'s (ar\'s), so that speedup ≈ L/F ÷ step ×ar.</p>',
    barChart('speedup vs ar against draft budget', budgets, series((m, b) => at(m, b)?.speedup ?? null), 1),
    barChart('L/F against draft budget', budgets, series((m, b) => at(m, b)?.acceptance ?? null), 1),
    htmlTable(['mode', 'budget', 'ms/token', 'speedup', 'L/F', 'tree', 'step ×ar', 'identical to ar'], rows, 'budgets'),
  ].join('\n');
}
