import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmSegmentSum } from './wasm-kernels';

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(async () => {
    registerWasmSegmentSum();
    await tf.setBackend('wasm');
  });

  it("gives tf.gather's gradient: each row's upstream values summed into its id", async () => {
    const table = tf.tensor2d([...Array(15).keys()], [5, 3]);
    const ids = tf.tensor1d([1, 1, 4, 0], 'int32');
    const weights = tf.tensor2d([1, 2, 3, 10, 20, 30, 100, 200, 300, 5, 6, 7], [4, 3]);
    const grad = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, ids), weights)))(table);
    // row 0 ← id 0 (5, 6, 7); row 1 ← ids 1 and 1 (11, 22, 33); row 4 ← (100, 200, 300).
    expect(Array.from(await grad.data())).toEqual([
      5, 6, 7, 11, 22, 33, 0, 0, 0, 0, 0, 0, 100, 200, 300,
    ]);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('drops segment ids outside [0, numSegments)', async () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const sum = tf.unsortedSegmentSum(x, tf.tensor1d([0, 7, 0], 'int32'), 2);
    expect(Array.from(await sum.data())).toEqual([6, 8, 0, 0]);
  });
});
