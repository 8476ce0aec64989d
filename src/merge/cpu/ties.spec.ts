import { describe, expect, it } from 'vitest';
import { f32Raw, taJob } from '../testing';
import { mergeTaskArithmetic, taskArithmeticSignSum } from './task-arithmetic';

const z5 = [0, 0, 0, 0, 0];
// δA = [1, -2, 0, 3, -1], δB = [-1, 2, 0, -1, -1] (base 0, weights 1).
const A = [1, -2, 0, 3, -1];
const B = [-1, 2, 0, -1, -1];

describe('TIES sign election', () => {
  it('zero rule "positive" (mergekit): Σ = 0 elects +1, zeros never match', () => {
    // Σ = [0, 0, 0, 2, -2] → elected [+, +, +, +, -].
    // e0: only A (1) agrees → 1/1 = 1.   e1: only B (2) → 2.   e2: nobody (zeros) → 0/(0→1) = 0.
    // e3: A=3 → 3.   e4: both (-1,-1) → -2/2 = -1.
    const out = mergeTaskArithmetic(taJob(z5, [A, B], { consensus: 'sum', normalize: true }));
    expect(Array.from(out)).toEqual([1, 2, 0, 3, -1]);
  });

  it('zero rule "majority" (official TIES): Σ = 0 takes the model-wide majority sign', () => {
    // majoritySign = -1: e0 elects -1 → B (-1) → -1; e1 elects -1 → A (-2) → -2.
    const neg = taJob(z5, [A, B], {
      consensus: 'sum',
      normalize: true,
      zeroSign: 'majority',
      majoritySign: -1,
    });
    expect(Array.from(mergeTaskArithmetic(neg))).toEqual([-1, -2, 0, 3, -1]);
    // majoritySign = +1 gives the same as "positive" here.
    const pos = { ...neg, majoritySign: 1 };
    expect(Array.from(mergeTaskArithmetic(pos))).toEqual([1, 2, 0, 3, -1]);
    // majoritySign = 0 (a perfectly split model) behaves like −1, as the official where(s>0,…).
    expect(Array.from(mergeTaskArithmetic({ ...neg, majoritySign: 0 }))).toEqual([
      -1, -2, 0, 3, -1,
    ]);
  });

  it('the majority-sign pre-pass sums sign(Σ) over the tensor', () => {
    // sign(Σ) = [0, 0, 0, +1, -1] → 0.   With C added, δC = [1, 1, 1, 1, 1]:
    // Σ = [1, 1, 1, 3, -1] → +1+1+1+1-1 = 3.
    expect(taskArithmeticSignSum(taJob(z5, [A, B], { consensus: 'sum' }))).toBe(0);
    expect(taskArithmeticSignSum(taJob(z5, [A, B, [1, 1, 1, 1, 1]], { consensus: 'sum' }))).toBe(3);
    expect(taskArithmeticSignSum(taJob(z5, [A, B], { consensus: 'none' }))).toBe(0);
  });

  it('"count" elects by the number of signs, "sum" by mass', () => {
    // δ = 5, -1, -1: sum Σ = 3 → + → only 5 → 5/1 = 5; count Σ = 1-2 = -1 → - → (-2)/2 = -1.
    const models = [[5], [-1], [-1]];
    expect(mergeTaskArithmetic(taJob([0], models, { consensus: 'sum', normalize: true }))[0]).toBe(
      5,
    );
    expect(
      mergeTaskArithmetic(taJob([0], models, { consensus: 'count', normalize: true }))[0],
    ).toBe(-1);
  });

  it('elects on weight-scaled deltas (mergekit)', () => {
    // δ = 1, -2 with w = 3, 1: WD = 3, -2 → Σ = 1 → + → 3 / 3 = 1 (normalize), sum = 3.
    const job = taJob([10], [[11], [8]], { consensus: 'sum', weights: [3, 1] });
    expect(mergeTaskArithmetic({ ...job, normalize: true })[0]).toBe(11);
    expect(mergeTaskArithmetic({ ...job, normalize: false })[0]).toBe(13);
  });
});

describe('TIES trim and disjoint merge', () => {
  it('per-tensor trim keeps exactly k, ties with the k-th largest in index order', () => {
    // δ = [3, -2, 2, 1, -2, 0.5], density 0.5 → k = 3; |δ| sorted: 3,2,2,2,1,.5 → the 3, then
    // the first two of the three tied 2s (mergekit's argsort order) → [3, -2, 2, 0, 0, 0].
    const d = [3, -2, 2, 1, -2, 0.5];
    const out = mergeTaskArithmetic(
      taJob([0, 0, 0, 0, 0, 0], [d], { sparsifier: 'magnitude', densities: [0.5] }),
    );
    expect(Array.from(out)).toEqual([3, -2, 2, 0, 0, 0]);
    // density 0.2 → k = floor(1.2) = 1 → threshold 3 → only the 3 survives.
    const one = mergeTaskArithmetic(
      taJob([0, 0, 0, 0, 0, 0], [d], { sparsifier: 'magnitude', densities: [0.2] }),
    );
    expect(Array.from(one)).toEqual([3, 0, 0, 0, 0, 0]);
    // density 0.1 → k = 0 → nothing kept.
    const none = mergeTaskArithmetic(
      taJob([1, 1, 1, 1, 1, 1], [d.map((x) => x + 1)], {
        sparsifier: 'magnitude',
        densities: [0.1],
      }),
    );
    expect(Array.from(none)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('model-scope thresholds replace the per-tensor selection', () => {
    // threshold 1.5: keep |δ| ≥ 1.5 → [3, -2, 2, 0, -2, 0] whatever the density says.
    const out = mergeTaskArithmetic(
      taJob([0, 0, 0, 0, 0, 0], [[3, -2, 2, 1, -2, 0.5]], {
        sparsifier: 'magnitude',
        densities: [0.01],
        modelScopeThresholds: [1.5],
      }),
    );
    expect(Array.from(out)).toEqual([3, -2, 2, 0, -2, 0]);
  });

  it('disjoint mean vs disjoint sum, then λ', () => {
    // δA = [2, 4], δB = [4, -1]; Σ = [6, 3] → both +.
    // e0: both agree → sum 6, mean 3.   e1: only A → sum 4, mean 4.
    const job = taJob(
      [1, 1],
      [
        [3, 5],
        [5, 0],
      ],
      { consensus: 'sum' },
    );
    expect(Array.from(mergeTaskArithmetic({ ...job, normalize: true }))).toEqual([4, 5]);
    expect(Array.from(mergeTaskArithmetic({ ...job, normalize: false }))).toEqual([7, 5]);
    // λ = 0.5 on the sum: [1 + 3, 1 + 2].
    expect(Array.from(mergeTaskArithmetic({ ...job, normalize: false, lambda: 0.5 }))).toEqual([
      4, 3,
    ]);
  });

  it('property: density 1, weights 1, normalize off, agreeing signs == task arithmetic', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    for (let trial = 0; trial < 20; trial++) {
      const n = 50;
      const base = Array.from({ length: n }, rnd);
      const signs = Array.from({ length: n }, () => (rnd() >= 0 ? 1 : -1));
      const models = [0, 1, 2].map(() =>
        base.map((b, i) => b + (signs[i] as number) * (0.01 + Math.abs(rnd()))),
      );
      const lambda = 0.3 + trial * 0.05;
      const ties = mergeTaskArithmetic(
        taJob(base, models, {
          consensus: 'sum',
          sparsifier: 'magnitude',
          densities: [1, 1, 1],
          lambda,
        }),
      );
      const ta = mergeTaskArithmetic(taJob(base, models, { lambda }));
      expect(Array.from(ties)).toEqual(Array.from(ta));
    }
  });
});

describe('task arithmetic', () => {
  it('θ₀ + λ·Σ τ', () => {
    // τ1 = [1, 2], τ2 = [-1, 4]; Σ = [0, 6]; λ = 0.3 → [1 + 0, 1 + 1.8] = [1, 2.8].
    const out = mergeTaskArithmetic(
      taJob(
        [1, 1],
        [
          [2, 3],
          [0, 5],
        ],
        { lambda: 0.3 },
      ),
    );
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(2.8, 6);
    // normalize with weights 1 → mean task vector: [1 + 0/2, 1 + 6/2] = [1, 4].
    expect(
      Array.from(
        mergeTaskArithmetic(
          taJob(
            [1, 1],
            [
              [2, 3],
              [0, 5],
            ],
            { normalize: true },
          ),
        ),
      ),
    ).toEqual([1, 4]);
    // deltaScale multiplies after λ: λ 0.5 and scale 2 → [1, 7].
    expect(
      Array.from(
        mergeTaskArithmetic(
          taJob(
            [1, 1],
            [
              [2, 3],
              [0, 5],
            ],
            { lambda: 0.5, deltaScale: 2 },
          ),
        ),
      ),
    ).toEqual([1, 7]);
  });

  it('decodes BF16 and F16 inputs', () => {
    // bf16 0x4000 = 2, f16 0x4200 = 3 → base 1 + (1 + 2) = 4.
    const job = taJob([1], [[0], [0]]);
    job.models = [
      { dtype: 'BF16', bytes: new Uint8Array([0x00, 0x40]) },
      { dtype: 'F16', bytes: new Uint8Array([0x00, 0x42]) },
    ];
    job.base = f32Raw([1]);
    expect(mergeTaskArithmetic(job)[0]).toBe(4);
  });

  it('rejects byte lengths that do not match numel', () => {
    const job = taJob([1, 2], [[1, 2]]);
    job.models = [f32Raw([1])];
    expect(() => mergeTaskArithmetic(job)).toThrow(/w \(model 0\).*expected 2 F32/);
  });
});
