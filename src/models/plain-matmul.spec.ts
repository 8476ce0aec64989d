/**
 * The plain-layout products tfjs-wasm takes (plain-matmul.ts): value and gradients of a·b and
 * a·bᵀ, and of the CLIP and ViT linears built on them, equal tfjs's matMul (with its transpose
 * flags) and its autodiff, on the same backend and inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../tf';
import { linear as clipLinear } from './clip/ops';
import { matMul2d, matMulTransposed } from './plain-matmul';
import { linear as vitLinear } from './vit-ops';

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
const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

type Product = (a: tf.Tensor2D, b: tf.Tensor2D, c: tf.Tensor) => tf.Tensor;

/** Value and every gradient of Σ weights ⊙ f(a, b, c) by `mine` and by `theirs`, compared. */
function expectSame(mine: Product, theirs: Product, bShape: number[]): void {
  const a = normal([37, 24], 1) as tf.Tensor2D;
  const b = normal(bShape, 2) as tf.Tensor2D;
  const c = normal([40], 3);
  const weights = normal([37, 40], 4); // every output element's gradient differs
  const grads = (f: Product) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D, c), weights)),
    )([a, b, c]);
  const value = mine(a, b, c);
  const reference = theirs(a, b, c);
  expect(value.shape).toEqual([37, 40]);
  expect(maxDiff(value, reference)).toBeLessThan(1e-5 * scale(reference));
  const g = grads(mine);
  const want = grads(theirs);
  g.forEach((x, i) => {
    expect(x.shape).toEqual(want[i]!.shape);
    expect(maxDiff(x, want[i]!), `gradient ${i}`).toBeLessThan(1e-5 * scale(want[i]!));
  });
  expect(scale(g[1]!)).toBeGreaterThan(1);
}

describe('plain-layout products on wasm', () => {
  it('a·b and the ViT linear (W [in, out]) equal tfjs matMul and its gradients', () => {
    const theirs: Product = (a, b, c) => tf.add(tf.matMul(a, b), c);
    expectSame((a, b, c) => tf.add(matMul2d(a, b), c), theirs, [24, 40]);
    expectSame(vitLinear, theirs, [24, 40]);
  });

  it('a·bᵀ and the CLIP linear (W [out, in]) equal tfjs matMul with transposeB', () => {
    const theirs: Product = (a, b, c) => tf.add(tf.matMul(a, b, false, true), c);
    expectSame((a, b, c) => tf.add(matMulTransposed(a, b), c), theirs, [40, 24]);
    expectSame(clipLinear, theirs, [40, 24]);
  });
});
