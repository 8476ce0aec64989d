import { describe, expect, it } from 'vitest';
import type { ConsensusJob, LinearJob, ModelStockJob, SlerpJob } from '../backend';
import { f32Raw } from '../testing';
import { mergeLinear } from './linear';
import { mergeModelStock, modelStockT } from './model-stock';
import { mergeSlerp } from './slerp';
import { mergeConsensus } from './tall';

const slerp = (a: number[], b: number[], t: number, shape = [a.length]): SlerpJob => ({
  kind: 'slerp',
  tensorName: 's',
  shape,
  numel: a.length,
  a: f32Raw(a),
  b: f32Raw(b),
  t,
});

describe('slerp', () => {
  it('orthogonal vectors: closed form sin((1-t)π/2)·a + sin(tπ/2)·b', () => {
    // θ = π/2, sin θ = 1. t = 1/2 → s0 = s1 = √2/2 → [2·.7071, 3·.7071].
    const half = mergeSlerp(slerp([2, 0], [0, 3], 0.5));
    expect(half[0]).toBeCloseTo(2 * Math.SQRT1_2, 6);
    expect(half[1]).toBeCloseTo(3 * Math.SQRT1_2, 6);
    // t = 1/3 → s0 = sin(π/3) = √3/2, s1 = sin(π/6) = 1/2 → [√3, 1.5].
    const third = mergeSlerp(slerp([2, 0], [0, 3], 1 / 3));
    expect(third[0]).toBeCloseTo(Math.sqrt(3), 6);
    expect(third[1]).toBeCloseTo(1.5, 6);
  });

  it('near-parallel (|dot| > 0.9995) falls back to lerp', () => {
    // cos = 1/√1.0001 ≈ 0.99995 → lerp(0.5) = [1, 0.005].
    const out = mergeSlerp(slerp([1, 0], [1, 0.01], 0.5));
    expect(out[0]).toBeCloseTo(1, 7);
    expect(out[1]).toBeCloseTo(0.005, 7);
    // anti-parallel too: |−1| > .9995 → lerp(.25) of [1,0] and [−2,0] = [.75 − .5, 0].
    expect(Array.from(mergeSlerp(slerp([1, 0], [-2, 0], 0.25)))).toEqual([0.25, 0]);
  });

  it('t = 0 returns the base exactly and t = 1 the other model', () => {
    const a = [0.1, -3.3, 7e-8];
    const b = [5, 6, -7];
    expect(Array.from(mergeSlerp(slerp(a, b, 0)))).toEqual(a.map(Math.fround));
    expect(Array.from(mergeSlerp(slerp(a, b, 1)))).toEqual(b);
  });

  it('at 60° the midpoint has norm between the inputs (not the chord)', () => {
    // a = [1,0], b = [1/2, √3/2]: θ = π/3, t = .5 → s0 = s1 = sin(π/6)/sin(π/3) = 1/√3
    // out = (a + b)/√3 = [1.5/√3, (√3/2)/√3] = [.866, .5] — on the unit circle.
    const out = mergeSlerp(slerp([1, 0], [0.5, Math.sqrt(3) / 2], 0.5));
    expect(out[0]).toBeCloseTo(Math.sqrt(3) / 2, 6);
    expect(out[1]).toBeCloseTo(0.5, 6);
  });
});

describe('model_stock', () => {
  const job = (
    base: number[],
    models: number[][],
    shape = [base.length],
    filterWise = false,
  ): ModelStockJob => ({
    kind: 'model_stock',
    tensorName: 'm',
    shape,
    numel: base.length,
    base: f32Raw(base),
    models: models.map(f32Raw),
    filterWise,
  });

  it('known cosine 1/√2: t = 2c/(1+c) = 2(√2−1)', () => {
    // base [1,1]; τ1 = [1,0], τ2 = [1,1] → cos = 1/√2; mean θ = [2, 1.5];
    // out = t·[2,1.5] + (1−t)·[1,1] = [1 + t, 1 + t/2].
    const t = 2 * (Math.SQRT2 - 1);
    expect(modelStockT(Math.SQRT1_2, 2)).toBeCloseTo(t, 12);
    const out = mergeModelStock(
      job(
        [1, 1],
        [
          [2, 1],
          [2, 2],
        ],
      ),
    );
    expect(out[0]).toBeCloseTo(1 + t, 6);
    expect(out[1]).toBeCloseTo(1 + t / 2, 6);
  });

  it('filter-wise: one cosine per row', () => {
    // row 0: τ = [1,0] and [0,1] → cos 0 → t 0 → base row [0,0].
    // row 1: τ = [1,1] and [2,2] → cos 1 → t = 2/2 = 1 → mean row [1.5, 1.5].
    const out = mergeModelStock(
      job(
        [0, 0, 0, 0],
        [
          [1, 0, 1, 1],
          [0, 1, 2, 2],
        ],
        [2, 2],
        true,
      ),
    );
    expect(Array.from(out)).toEqual([0, 0, 1.5, 1.5]);
    // not filter-wise: one cosine for the flattened tensor: ⟨τ1,τ2⟩ = 4, ‖τ1‖ = √3, ‖τ2‖ = 3
    // → cos = 4/(3√3); t = 2c/(1+c); out = t·mean.
    const c = 4 / (3 * Math.sqrt(3));
    const t = (2 * c) / (1 + c);
    const whole = mergeModelStock(
      job(
        [0, 0, 0, 0],
        [
          [1, 0, 1, 1],
          [0, 1, 2, 2],
        ],
        [2, 2],
        false,
      ),
    );
    [0.5, 0.5, 1.5, 1.5].forEach((m, i) => expect(whole[i]).toBeCloseTo(t * m, 6));
  });

  it('three models: mean of the three pairwise cosines', () => {
    // τ1 = [1,0], τ2 = [0,1], τ3 = [1,1]: cosines 0, 1/√2, 1/√2 → c = √2/3;
    // t = 3c/(1+2c); base 0 → out = t·mean = t·[2/3, 2/3].
    const c = Math.SQRT2 / 3;
    const t = (3 * c) / (1 + 2 * c);
    const out = mergeModelStock(
      job(
        [0, 0],
        [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
      ),
    );
    expect(out[0]).toBeCloseTo((t * 2) / 3, 6);
  });

  it('anti-parallel pair gives the base instead of ±∞', () => {
    expect(
      Array.from(
        mergeModelStock(
          job(
            [1, 1],
            [
              [2, 2],
              [0, 0],
            ],
          ),
        ),
      ),
    ).toEqual([1, 1]);
  });
});

describe('consensus (TALL masks)', () => {
  // base 0; τ1 = [1, .1, 2], τ2 = [1, 0, -2], τ3 = [0, 0, .1]; λ = .5 for all.
  // e0: MTL 2: |1| > .5·1 ✓, ✓, 0 > .5·2 ✗ → 2 votes.
  // e1: MTL .1: .1 > 0 ✓, 0 > .05 ✗, 0 > .05 ✗ → 1 vote.
  // e2: MTL .1: 2 > .95 ✓, 2 > 1.05 ✓, .1 > 0 ✓ → 3 votes.
  const job = (k: number, alpha = 1, emitTaskModels = false): ConsensusJob => ({
    kind: 'consensus',
    tensorName: 'c',
    shape: [3],
    numel: 3,
    base: f32Raw([0, 0, 0]),
    models: [f32Raw([1, 0.1, 2]), f32Raw([1, 0, -2]), f32Raw([0, 0, 0.1])],
    maskLambdas: [0.5, 0.5, 0.5],
    k,
    alpha,
    emitTaskModels,
  });
  const f = Math.fround;

  it('k = 2 drops selfish weights, k = 1 only catastrophic ones', () => {
    expect(Array.from(mergeConsensus(job(2)).merged)).toEqual([2, 0, f(0.1)]);
    expect(Array.from(mergeConsensus(job(1)).merged)).toEqual([2, f(0.1), f(0.1)]);
    expect(Array.from(mergeConsensus(job(3)).merged)).toEqual([0, 0, f(0.1)]);
  });

  it('α scales the kept τ_MTL; task models are θ₀ + mₜ⊙τ_MTL', () => {
    expect(Array.from(mergeConsensus(job(2, 0.5)).merged)).toEqual([1, 0, f(0.05)]);
    const res = mergeConsensus(job(2, 1, true));
    expect(res.taskModels?.map((m) => Array.from(m))).toEqual([
      [2, f(0.1), f(0.1)],
      [2, 0, f(0.1)],
      [0, 0, f(0.1)],
    ]);
  });
});

describe('linear', () => {
  const job = (normalize: boolean): LinearJob => ({
    kind: 'linear',
    tensorName: 'l',
    shape: [2],
    numel: 2,
    models: [f32Raw([1, 2]), f32Raw([3, 6])],
    weights: [1, 3],
    normalize,
  });
  it('Σ wθ, divided by Σ w when normalize', () => {
    // 1·[1,2] + 3·[3,6] = [10, 20]; / 4 = [2.5, 5].
    expect(Array.from(mergeLinear(job(false)))).toEqual([10, 20]);
    expect(Array.from(mergeLinear(job(true)))).toEqual([2.5, 5]);
  });
});
