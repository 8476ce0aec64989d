import { describe, expect, it } from 'vitest';
import { cosine, taskArithmetic, taskVector, ties, type Params } from './simple-merge';

const one = (values: number[]): Params =>
  new Map([['encoder.w', { shape: [values.length], data: Float32Array.from(values) }]]);
const values = (p: Params): number[] =>
  [...p.get('encoder.w')!.data].map((v) => Math.round(v * 1e6) / 1e6 + 0); // + 0 turns −0 into 0

// Hand-worked example (base 0): τ1 = [3, -1, 2, 0.5, -4], τ2 = [-2, 1, 1, -0.1, -1], density 0.4 → k = 2.
// Trim τ1 keeps |3|, |-4|; τ2's threshold is 1 and ties are kept → [-2, 1, 1, 0, -1].
// Σ = [1, 1, 1, 0, -5] → signs +,+,+,0,−; the majority of elected signs is + so entry 3 takes +.
const base = one([0, 0, 0, 0, 0]);
const t1 = one([3, -1, 2, 0.5, -4]);
const t2 = one([-2, 1, 1, -0.1, -1]);

describe('reference merges', () => {
  it('task arithmetic is θ₀ + λ·Στ', () => {
    expect(values(taskArithmetic(base, [t1, t2], 0.3))).toEqual([0.3, 0, 0.9, 0.12, -1.5]);
  });

  it('TIES, official (disjoint mean, λ = 1)', () => {
    expect(values(ties(base, [t1, t2], { density: 0.4, disjoint: 'mean', lambda: 1 }))).toEqual([
      3, 1, 1, 0, -2.5,
    ]);
  });

  it('TIES, FusionBench (disjoint sum, λ = 0.3)', () => {
    expect(values(ties(base, [t1, t2], { density: 0.4, disjoint: 'sum', lambda: 0.3 }))).toEqual([
      0.9, 0.3, 0.3, 0, -1.5,
    ]);
  });

  it('task vectors skip filtered tensors and cosines are scale-free', () => {
    const tuned: Params = new Map([
      ...one([1, 2, 3, 4, 5]),
      ['heads.x.weight', { shape: [1], data: Float32Array.from([9]) }],
    ]);
    const withHead: Params = new Map([
      ...base,
      ['heads.x.weight', { shape: [1], data: Float32Array.from([0]) }],
    ]);
    const tau = taskVector(withHead, tuned, (n) => !n.startsWith('heads.'));
    expect([...tau.keys()]).toEqual(['encoder.w']);
    expect(cosine(tau, one([2, 4, 6, 8, 10]))).toBeCloseTo(1, 6);
    expect(cosine(one([1, 0, 0, 0, 0]), one([0, 1, 0, 0, 0]))).toBe(0);
  });
});
