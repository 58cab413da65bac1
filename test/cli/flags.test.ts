import { intFlag, loadFlags } from '../../src/cli/flags';

test.each([
  ['12', 0, 12],
  ['0', 5, 0],
  [undefined, 7, 7],
  [undefined, Infinity, Infinity],
])('intFlag(limit, %j, %d) = %d', (v, dflt, want) => {
  expect(intFlag('limit', v, dflt)).toBe(want);
});

test.each(['x', '-1', '2.5', 'NaN'])('intFlag(limit, %j) throws a message naming the flag', (v) => {
  expect(() => intFlag('limit', v, 0)).toThrow(`--limit: expected a non-negative integer, got '${v}'`);
});

test.each([
  [{}, { backend: undefined, wasmThreads: undefined }],
  [{ backend: 'wasm', 'wasm-threads': '2' }, { backend: 'wasm', wasmThreads: 2 }],
])('loadFlags(%j)', (v, want) => {
  expect(loadFlags(v)).toEqual(want);
});

test('loadFlags: a bad --wasm-threads is an error naming the flag', () => {
  expect(() => loadFlags({ 'wasm-threads': '16' })).toThrow("--wasm-threads must be an integer from 1 to 8, got '16'");
});
