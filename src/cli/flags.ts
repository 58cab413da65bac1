/**
 * A non-negative integer flag of a command or script: `dflt` when the flag is absent, else its value, or an error that
 * names the flag (not a NaN that slices every task away and prints an empty table with exit 0).
 *
 * Example: intFlag('limit', '12', 0) → 12; intFlag('limit', undefined, Infinity) → Infinity;
 *          intFlag('limit', 'x', 0) throws "--limit: expected a non-negative integer, got 'x'"
 */
export function intFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got '${v}'`);
  return n;
}
