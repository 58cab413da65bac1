import { mean, median, quantile } from '../../util/stats';

describe('stats', () => {
  test.each([
    [[3, 1, 2], 0.5, 2],
    [[8, 12], 0.25, 9], // 8 + 0.25 · (12 - 8), numpy's linear interpolation
    [[5], 0.75, 5],
    [[], 0.5, 0],
    [[10, 0, 30, 20], 1, 30],
  ])('quantile(%j, %d) = %d', (xs, q, expected) => {
    expect(quantile(xs, q)).toBe(expected);
  });

  test('median of an even count is the mean of the middle two; mean of none is 0', () => {
    expect([median([5, 1, 3, 2]), median([4, 1, 7]), mean([1, 2, 6]), mean([])]).toEqual([2.5, 4, 3, 0]);
  });
});
