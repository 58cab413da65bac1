/** Backend choice: explicit names, FASTCODER_BACKEND, and the default order (native tfjs-node if it loads, else wasm). */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';
import { vulkanDriverListed } from '../../model/webgpu';

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
  await expect(selectBackend('webgl')).rejects.toThrow("unknown backend 'webgl' (from --backend); choose one of tensorflow, webgpu, wasm, cpu");
  process.env.FASTCODER_BACKEND = 'gpu';
  await expect(selectBackend()).rejects.toThrow("unknown backend 'gpu' (from FASTCODER_BACKEND)");
});

test(`default: ${nativeLoads ? 'tfjs-node loads here, so tensorflow' : 'no tfjs-node here, so wasm'}`, async () => {
  expect((await selectBackend()).name).toBe(nativeLoads ? 'tensorflow' : 'wasm');
  if (nativeLoads) expect((await selectBackend('tensorflow')).name).toBe('tensorflow');
  else await expect(selectBackend('tensorflow')).rejects.toThrow("backend 'tensorflow' requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads here");
});

test('vulkanDriverListed: a driver named in the environment counts', () => {
  const saved = process.env.VK_ICD_FILENAMES;
  process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
  try {
    expect(vulkanDriverListed()).toBe(true);
  } finally {
    if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = saved;
  }
});

// with no Vulkan driver at all (this machine without VK_ICD_FILENAMES), webgpu by name is an error that says why,
// and the automatic choice does not try it; test/model/webgpu.test.ts covers the case with an adapter
(vulkanDriverListed() ? test.skip : test)('webgpu by name without a Vulkan driver: an error naming the cause', async () => {
  await expect(selectBackend('webgpu')).rejects.toThrow("backend 'webgpu' requested but Dawn found no adapter (is libvulkan1 installed, and a Vulkan driver?");
  expect((await selectBackend()).name).not.toBe('webgpu');
});
