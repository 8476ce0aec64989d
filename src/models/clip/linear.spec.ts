/**
 * linear() on tfjs-wasm takes its own plain-layout product and gradient (ops.ts): value and both
 * gradients equal tfjs's matMul with transposeB and its autodiff, on the same backend and inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../tf';
import { linear } from './ops';

let previous = '';
beforeAll(async () => {
  previous = tf.getBackend();
  expect(await initTf('wasm')).toBe('wasm');
});
afterAll(async () => {
  if (previous) await tf.setBackend(previous);
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
const scale = (a: tf.Tensor) => tf.max(tf.abs(a)).dataSync()[0]!;

describe('linear on wasm', () => {
  it('equals x·Wᵀ + b and its gradients (dx, dW, db) as tfjs computes them with transposeB', () => {
    const x = tf.randomNormal([37, 24], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([40, 24], 0, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([40], 0, 1, 'float32', 3);
    // A weighted sum, so every output element's gradient differs.
    const weights = tf.randomNormal([37, 40], 0, 1, 'float32', 4);
    const loss = (f: (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
      tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(x as tf.Tensor2D, w, b), weights)),
      )([x, w, b]);
    const mine = loss(linear);
    const theirs = loss((x, w, b) => tf.add(tf.matMul(x, w as tf.Tensor2D, false, true), b));
    const value = linear(x, w, b);
    const reference = tf.add(tf.matMul(x, w, false, true), b);
    expect(value.shape).toEqual([37, 40]);
    expect(maxDiff(value, reference)).toBeLessThan(1e-5 * scale(reference));
    mine.forEach((g, i) => {
      expect(g.shape).toEqual(theirs[i]!.shape);
      expect(maxDiff(g, theirs[i]!), `gradient ${i}`).toBeLessThan(1e-5 * scale(theirs[i]!));
    });
    expect(scale(mine[1]!)).toBeGreaterThan(1);
  });
});
