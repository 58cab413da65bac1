import type { BenchResults } from '../../src/bench/results';
import { compare } from '../../scripts/compare-oracle';

// Two RepoEval tasks of one repo and one mode; the reference agrees on the first and takes one forward more on the second.
const results = {
  results: [
    { task: '0', repo: 'r', mode: 'rest', generated: 10, forwards: 5 },
    { task: '1', repo: 'r', mode: 'rest', generated: 6, forwards: 3 },
    { task: '0', repo: 'r', mode: 'ar', generated: 10, forwards: 10 },
  ],
} as unknown as BenchResults;
const reference = {
  task_names: ['r/0', 'r/1'],
  drafters: { rest: { LF_token_weighted: 16 / 9, per_task_L_steps: [[10, 5], [6, 4]] as [number, number][] } },
};

test('compare: token-weighted L/F of both sides and the tasks whose [tokens, forwards] differ', () => {
  const [row, ...rest] = compare(results, reference, { rest: 'rest', fastcoder: 'fc' });
  expect(rest).toEqual([]); // fastcoder has no rows and fc no reference: left out
  expect(row.tasks).toBe(2);
  expect(row.ours).toBeCloseTo(16 / 8, 12);
  expect(row.reference).toBeCloseTo(16 / 9, 12);
  expect(row.differ).toEqual([{ task: 'r/1', ours: [6, 3], reference: [6, 4] }]);
});
