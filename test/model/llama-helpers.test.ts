/** Small pieces of the forward pass against hand-computed cases and naive definitions. */
import { maskBias, treeMaskOrCausal } from '../../model/llama';
import { inverseFrequencies, rotateHalfMatrix } from '../../model/rope';

test('causal mask by default; a given mask is checked', () => {
  expect(Array.from(treeMaskOrCausal(undefined, 3))).toEqual([1, 0, 0, 1, 1, 0, 1, 1, 1]);
  const tree = Uint8Array.of(1, 0, 0, 1, 1, 0, 1, 0, 1); // node 0 with two children
  expect(treeMaskOrCausal(tree, 3)).toBe(tree);
  expect(() => treeMaskOrCausal(Uint8Array.of(1, 2, 0, 1), 2)).toThrow('treeMask[0][1] = 2, expected 0 or 1');
});

test('mask bias is repeated for each query head of a kv group', () => {
  expect(Array.from(maskBias(Uint8Array.of(1, 0, 1, 1), 2, 2))).toEqual([0, -1e9, 0, 0, 0, -1e9, 0, 0]);
});

test('mask bias over an open block: committed columns visible, the new tokens by the mask, unused columns masked', () => {
  const M = -1e9;
  expect(Array.from(maskBias(Uint8Array.of(1, 0, 1, 1), 2, 1, { committed: 1, at: 1, width: 4 }))).toEqual([0, 0, M, M, 0, 0, 0, M]);
  expect(Array.from(maskBias(Uint8Array.of(1), 1, 2, { committed: 2, at: 2, width: 4 }))).toEqual([0, 0, 0, M, 0, 0, 0, M]);
  // a tail of 3 holding 1 entry, then the 2 new tokens' own block: columns [c, unused, unused, new 0, new 1]
  expect(Array.from(maskBias(Uint8Array.of(1, 0, 1, 1), 2, 1, { committed: 1, at: 3, width: 5 }))).toEqual([0, M, M, 0, M, 0, M, M, 0, 0]);
});

test('x · rotateHalfMatrix = concat(-x2, x1) (HF rotate_half)', () => {
  const d = 6;
  const x = [1, 2, 3, 4, 5, 6];
  const r = rotateHalfMatrix(d);
  const got = Array.from({ length: d }, (_, j) => x.reduce((s, xi, i) => s + xi * r[i * d + j], 0));
  expect(got).toEqual([-4, -5, -6, 1, 2, 3]);
});

test('inverse frequencies: 1/θ^(2i/d), divided by the linear factor (float32)', () => {
  expect(Array.from(inverseFrequencies(4, 100, 1))).toEqual([1, Math.fround(0.1)]);
  expect(Array.from(inverseFrequencies(4, 10000, 4))).toEqual([0.25, Math.fround(Math.fround(0.01) / 4)]);
});
