/** Backend choice: explicit names, FASTCODER_BACKEND, and the default order (native tfjs-node if it loads, else wasm). */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';

const loads = (pkg: string) => {
  try {
    require(pkg);
    return true;
  } catch {
    return false;
  }
};
const nativeLoads = loads('@tensorflow/tfjs-node-gpu') || loads('@tensorflow/tfjs-node');

afterEach(() => delete process.env.FASTCODER_BACKEND);
afterAll(() => selectBackend('wasm'));

test('explicit wasm and cpu become the active tfjs backend', async () => {
  expect(await selectBackend('cpu')).toEqual({ name: 'cpu', detail: '@tensorflow/tfjs-backend-cpu (pure JS)' });
  expect(tf.getBackend()).toBe('cpu');
  const wasm = await selectBackend('wasm');
  expect(wasm.name).toBe('wasm');
  expect(wasm.detail).toMatch(/^@tensorflow\/tfjs-backend-wasm, \d+ thread\(s\)$/);
  expect(tf.getBackend()).toBe('wasm');
});

test('FASTCODER_BACKEND is used when no name is given; an explicit name wins', async () => {
  process.env.FASTCODER_BACKEND = 'cpu';
  expect((await selectBackend()).name).toBe('cpu');
  expect((await selectBackend('wasm')).name).toBe('wasm');
});

test('unknown names are errors that say where they came from', async () => {
  await expect(selectBackend('webgl')).rejects.toThrow("unknown backend 'webgl' (from --backend); choose one of tensorflow, wasm, cpu");
  process.env.FASTCODER_BACKEND = 'gpu';
  await expect(selectBackend()).rejects.toThrow("unknown backend 'gpu' (from FASTCODER_BACKEND)");
});

test(`default: ${nativeLoads ? 'tfjs-node loads here, so tensorflow' : 'no tfjs-node here, so wasm'}`, async () => {
  expect((await selectBackend()).name).toBe(nativeLoads ? 'tensorflow' : 'wasm');
  if (nativeLoads) expect((await selectBackend('tensorflow')).name).toBe('tensorflow');
  else await expect(selectBackend('tensorflow')).rejects.toThrow("backend 'tensorflow' requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads here");
});
