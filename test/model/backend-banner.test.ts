/** The pure-JS backend's "install tfjs-node" banner is not printed: its advice cannot work offline (README, Backends). */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';

test('selectBackend("cpu") then a first tensor: nothing on console.warn', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    await selectBackend('cpu');
    tf.tensor1d([1, 2, 3]).dispose();
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
  } finally {
    warn.mockRestore();
  }
});
