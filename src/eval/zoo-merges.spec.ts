import { describe, expect, it } from 'vitest';
import type { Params } from '../core';
import { mergeParams, taskVectors as taskVector } from '../merge';
import { vectorStats } from './zoo-table';
import { BASE_KEY, zooRecipe, taskArithmeticMerge, tiesMerge, type ZooMerge } from './zoo-merges';
import type { LoadedZoo } from '../zoo';

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

/** The zoo recipe of `merge` over base + θ₀ + τ (base 0: θ = τ), run by the merge engine. */
async function merged(merge: ZooMerge, vectors: Params[]): Promise<Params> {
  const zoo = {
    manifest: { headPrefix: 'heads.', tasks: vectors.map((_, k) => ({ name: `t${k}` })) },
  } as unknown as LoadedZoo;
  const models = new Map<string, Params>([[BASE_KEY, base]]);
  vectors.forEach((v, k) => models.set(`t${k}`, v));
  return mergeParams(zooRecipe(zoo, merge), models);
}
const taskArithmetic = (_: Params, vectors: Params[], lambda: number) =>
  merged(taskArithmeticMerge(lambda), vectors);
const ties = (
  _: Params,
  vectors: Params[],
  options: { density: number; disjoint: 'mean' | 'sum'; lambda: number },
) => merged(tiesMerge(options), vectors);
const cosine = (a: Params, b: Params): number => vectorStats(['a', 'b'], [a, b]).cosine[0]![1]!;

describe('the zoo merges, through the merge engine', () => {
  it('task arithmetic is θ₀ + λ·Στ', async () => {
    expect(values(await taskArithmetic(base, [t1, t2], 0.3))).toEqual([0.3, 0, 0.9, 0.12, -1.5]);
  });

  it('TIES, official (disjoint mean, λ = 1)', async () => {
    expect(
      values(await ties(base, [t1, t2], { density: 0.4, disjoint: 'mean', lambda: 1 })),
    ).toEqual([3, 1, 1, 0, -2.5]);
  });

  it('TIES, FusionBench (disjoint sum, λ = 0.3)', async () => {
    expect(
      values(await ties(base, [t1, t2], { density: 0.4, disjoint: 'sum', lambda: 0.3 })),
    ).toEqual([0.9, 0.3, 0.3, 0, -1.5]);
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
