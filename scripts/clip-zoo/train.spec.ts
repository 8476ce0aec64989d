import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipGlobalNorm, warmupCosineLr } from './train';

describe('the pretraining schedule', () => {
  const lrs = Array.from({ length: 100 }, (_, s) => warmupCosineLr(s, 100, 1e-3, 10));

  it('warms up linearly to the peak, then decays by a cosine to 0', () => {
    expect(lrs[0]).toBeCloseTo(1e-4, 12);
    expect(lrs[4]).toBeCloseTo(5e-4, 12);
    expect(lrs[9]).toBeCloseTo(1e-3, 12);
    expect(lrs[10]).toBeCloseTo(1e-3, 12);
    // halfway through the decay (step 10 + 45) the cosine is at half the peak.
    expect(lrs[55]).toBeCloseTo(5e-4, 12);
    expect(lrs[99]).toBeLessThan(1e-6);
    for (let s = 11; s < 100; s++) expect(lrs[s]).toBeLessThan(lrs[s - 1]!);
  });

  it('without warm-up starts at the peak', () => {
    expect(warmupCosineLr(0, 100, 2e-3, 0)).toBeCloseTo(2e-3, 12);
  });
});

describe('clipGlobalNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('returns the global L2 norm and rescales all gradients to the limit above it', async () => {
    // global norm of (3, 4) and (12) is 13.
    const grads = { a: tf.tensor1d([3, 4]), b: tf.tensor1d([12]) };
    expect(clipGlobalNorm(grads, 1)).toBeCloseTo(13, 5);
    expect(Array.from(await grads.a.data())).toEqual(
      [3 / 13, 4 / 13].map((x) => expect.closeTo(x, 6) as number),
    );
    expect((await grads.b.data())[0]).toBeCloseTo(12 / 13, 6);
  });

  it('leaves gradients below the limit untouched', async () => {
    const grads = { a: tf.tensor1d([0.3, 0.4]) };
    expect(clipGlobalNorm(grads, 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(await grads.a.data())).toEqual(Array.from(Float32Array.from([0.3, 0.4])));
  });
});
