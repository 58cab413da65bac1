/**
 * Test helper: `n` seeded float32 values in [-1, 1), the same for the same seed (weights and rows for the wasm kernel
 * tests).
 *
 * Example: seededValues(3, 1).length → 3; seededValues(3, 1) equals seededValues(3, 1) element for element
 */
import { seededRandom } from '../../retrieval/timing';

export function seededValues(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * rand() - 1);
}
