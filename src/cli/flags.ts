import type { LoadOptions } from '../../model/load';
import { parseWasmThreads } from '../../model/wasm-threads';

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

/** The help line of `--wasm-threads`, shared by the commands that load a model. */
export const WASM_THREADS_HELP = `  --wasm-threads <n>      wasm backend: XNNPACK's thread pool, 1 to 8 (default: FASTCODER_WASM_THREADS, else 1); pays
                          off on larger models (README, "Threads on wasm")`;

/**
 * How to load a model, from `--backend` and `--wasm-threads`.
 * Example: loadFlags({ backend: 'wasm', 'wasm-threads': '2' }) → { backend: 'wasm', wasmThreads: 2 }
 */
export function loadFlags(v: { backend?: string; 'wasm-threads'?: string }): LoadOptions {
  return { backend: v.backend, wasmThreads: v['wasm-threads'] === undefined ? undefined : parseWasmThreads(v['wasm-threads'], '--wasm-threads') };
}
