/**
 * CLIP AdaMerging (tfjs autodiff) on a generated tiny CLIP pool: the first-step gradient of the
 * summed entropy with respect to λ equals a central finite difference of the same loss, λ = 0
 * merges to the base tower, and a short run lowers the entropy.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyClipAdaMerging } from '../testing/clip-adamerging';
import { mergedClipParams, uploadClipProblem } from './problem';
import { ClipAdaMergingSession, entropyPerTask, runClipAdaMerging } from './session';

const TASKS = ['alpha', 'beta', 'gamma'];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const setup = (plus = false) => tinyClipAdaMerging(TASKS, { plus });

describe('CLIP AdaMerging (tfjs autodiff)', () => {
  it('λ = 0 gives the base vision tower', async () => {
    const { host, pool } = setup();
    const device = uploadClipProblem(host);
    const zero = tf.zeros([TASKS.length, host.tensorNames.length]) as tf.Tensor2D;
    const merged = mergedClipParams(device, zero, true);
    const name = 'vision_model.encoder.layers.1.mlp.fc1.weight';
    expect(Array.from(await merged.get(name)!.data())).toEqual(
      Array.from(pool.base.get(name)!.data),
    );
    tf.dispose([zero, ...merged.values()]);
    device.dispose();
  });

  it('first-step gradient equals a finite difference of the loss (layer-wise)', async () => {
    const { host, pools } = setup();
    const session = new ClipAdaMergingSession(host, pools, {
      mode: 'layer',
      steps: 1,
      batchSize: 4,
      lr: 1e-3,
      seed: 1,
    });
    // The same batch for the gradient and the differences: draw it once.
    const images = session.nextImages();
    const loss = (lambda: tf.Tensor2D) =>
      tf.tidy(() => {
        const p = mergedClipParams(session.problem, lambda, true);
        return tf.sum(entropyPerTask(session.problem, p, images, 4)) as tf.Scalar;
      });
    const grad = tf.grad((l: tf.Tensor) => loss(l as tf.Tensor2D))(session.lambda);
    const g = await grad.data();
    const base = await session.lambda.data();
    const [T, L] = session.lambda.shape;
    for (const [k, l] of [
      [0, 0],
      [1, 5],
      [2, L - 1],
    ] as const) {
      const h = 1e-2;
      const at = (delta: number) => {
        const v = Float32Array.from(base);
        v[k * L + l] = base[k * L + l]! + delta;
        const lam = tf.tensor2d(v, [T, L]);
        const value = loss(lam).dataSync()[0]!;
        lam.dispose();
        return value;
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      // A zero gradient would pass trivially: the pool is built so that λ matters.
      expect(Math.abs(numeric)).toBeGreaterThan(1e-3);
      expect(Math.abs(g[k * L + l]! - numeric)).toBeLessThan(2e-3 + 0.05 * Math.abs(numeric));
    }
    tf.dispose([grad, images]);
    session.dispose();
  });

  it('a short task-wise run lowers the entropy and keeps λ in [0, 1]', async () => {
    const { host, pools } = setup();
    const result = await runClipAdaMerging(host, pools, {
      mode: 'task',
      steps: 25,
      batchSize: 4,
      lr: 2e-2,
      seed: 2,
    });
    expect(result.lastEntropy).toBeLessThan(result.firstEntropy);
    expect(result.lambdas).toHaveLength(TASKS.length);
    for (const row of result.lambdas) for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
    expect(result.engine).toBe('tfjs');
  });
});
