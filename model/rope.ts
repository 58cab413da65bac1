/**
 * Rotary position embeddings as HF Llama computes them (float32 throughout):
 * `inv_freq[i] = 1 / theta^(2i/d)` (divided by the linear scaling factor), `angle = pos · inv_freq`, and cos/sin laid out
 * on `concat(angle, angle)` so that `x' = x·cos + rotate_half(x)·sin` with `rotate_half(x) = concat(-x2, x1)`.
 *
 * Example (d = 4, theta = 10000, no scaling): `ropeCosSin([0, 1], 4, 10000, 1).cos`
 *   → [1, 1, 1, 1,  cos 1, cos 0.01, cos 1, cos 0.01]   (rows = positions)
 */
const f32 = Math.fround;

/** HF's `inv_freq` (float32), already divided by the linear scaling `factor`. Example: d=4, θ=100 → [1, 0.1]. */
export function inverseFrequencies(headDim: number, theta: number, factor: number): Float32Array {
  const inv = new Float32Array(headDim / 2);
  for (let i = 0; i < inv.length; i++) inv[i] = f32(f32(1 / f32(theta ** f32((2 * i) / headDim))) / factor);
  return inv;
}

/** cos and sin `[positions.length × headDim]` for the given (possibly repeated, unordered) positions. */
export function ropeCosSin(positions: ArrayLike<number>, headDim: number, theta: number, factor: number): { cos: Float32Array; sin: Float32Array } {
  const inv = inverseFrequencies(headDim, theta, factor);
  const half = headDim / 2;
  const cos = new Float32Array(positions.length * headDim);
  const sin = new Float32Array(positions.length * headDim);
  for (let p = 0; p < positions.length; p++) {
    for (let i = 0; i < half; i++) {
      const angle = f32(positions[p] * inv[i]);
      cos[p * headDim + i] = cos[p * headDim + half + i] = Math.cos(angle);
      sin[p * headDim + i] = sin[p * headDim + half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * The `[d × d]` matrix R with `x R = rotate_half(x) = concat(-x[d/2:], x[:d/2])`, so the rotation is one matMul.
 * Example (d = 2): R = [[0, 1], [-1, 0]], and [a, b] R = [-b, a].
 */
export function rotateHalfMatrix(headDim: number): Float32Array {
  const half = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let j = 0; j < half; j++) {
    r[(half + j) * headDim + j] = -1; // output j takes -x[half + j]
    r[j * headDim + half + j] = 1; // output half + j takes x[j]
  }
  return r;
}
