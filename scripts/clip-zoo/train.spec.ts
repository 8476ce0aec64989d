import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/prng';
import { clipGlobalNorm, domainRows, warmupCosineLr } from './train';

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

describe('pretraining batches', () => {
  const groups = [0, 1, 2].map((g) => Int32Array.from({ length: 50 }, (_, i) => g * 100 + i));
  const domains = (rows: number[]) => rows.map((r) => Math.floor(r / 100));

  it('take half the batch from each of two distinct domains by default', () => {
    for (let s = 0; s < 20; s++) {
      const d = domains(domainRows(new Rng(0, `b:${s}`), groups, 8));
      expect(new Set(d.slice(0, 4)).size).toBe(1);
      expect(new Set(d.slice(4)).size).toBe(1);
      expect(d[0]).not.toBe(d[4]);
    }
  });

  it('take the whole batch from one domain when asked', () => {
    for (let s = 0; s < 20; s++) {
      expect(new Set(domains(domainRows(new Rng(0, `b:${s}`), groups, 8, false))).size).toBe(1);
    }
  });
});
