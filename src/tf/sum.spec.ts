import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADD_GROUP, addMany } from './sum';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('addMany', () => {
  it('equals the plain sum for 1 … 3 groups deep, and frees its intermediates', () => {
    for (const n of [1, 2, ADD_GROUP, ADD_GROUP + 1, 40, ADD_GROUP ** 2 + 3]) {
      const parts = Array.from({ length: n }, (_, i) => tf.tensor1d([i + 1, -2 * i, 0.5]));
      const before = tf.memory().numTensors;
      const sum = addMany(parts);
      expect(tf.memory().numTensors, `n = ${n}`).toBe(before + 1);
      const expected = [(n * (n + 1)) / 2, n === 1 ? 0 : -n * (n - 1), 0.5 * n];
      expect(Array.from(sum.dataSync()), `n = ${n}`).toEqual(expected);
      tf.dispose([sum, ...parts]);
    }
  });

  it('no tensors: a clear error', () => {
    expect(() => addMany([])).toThrow('addMany: no tensors to add');
  });
});
