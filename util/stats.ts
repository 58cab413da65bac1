/**
 * The summary statistics the benchmarks and the cost model report, in one place.
 */

/**
 * The q-quantile with linear interpolation between order statistics (numpy's default); 0 for no values.
 * Example: quantile([8, 12], 0.25) → 9; quantile([3, 1, 2], 0.5) → 2
 */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const at = q * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo] + (at - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
}

/** The median (the mean of the middle two of an even count). Example: median([5, 1, 3, 2]) → 2.5 */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** The arithmetic mean; 0 for no values. Example: mean([1, 2, 6]) → 3 */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0;
}
