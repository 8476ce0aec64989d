/**
 * The fused element-wise task-arithmetic loop and the bulk decoders (performance paths) must
 * give exactly what the per-model reference steps give: weightedDeltas (sparsify + weights)
 * followed by the election / divisor formulas of docs/merge.md, written out here.
 */
import { describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32 } from '../../io';
import type { Consensus, RawTensor, TaskArithmeticJob, ZeroSignRule } from '../backend';
import { mergeTaskArithmetic } from './task-arithmetic';
import { referenceTaskArithmetic } from './testing/reference-ta';
import { unpackToF32 } from './unpack';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

function raw(values: number[], dtype: RawTensor['dtype'], offset = 0): RawTensor {
  const size = dtype === 'F32' ? 4 : 2;
  const buf = new Uint8Array(offset + values.length * size);
  const view = new DataView(buf.buffer, offset);
  values.forEach((v, i) => {
    if (dtype === 'F32') view.setFloat32(i * 4, v, true);
    else {
      const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
      // Truncation is fine: the test only needs some bf16 / f16-ish patterns.
      view.setUint16(i * 2, dtype === 'BF16' ? bits >>> 16 : (bits >>> 13) & 0x7fff, true);
    }
  });
  return { dtype, bytes: buf.subarray(offset) };
}

const expected = referenceTaskArithmetic;

describe('fused element-wise task arithmetic', () => {
  // Spans several tiles of the fast path, with a partial last tile.
  const n = 9000;
  const r = rng(5);
  const baseVals = Array.from({ length: n }, () => r());
  const dtypes: RawTensor['dtype'][] = ['F32', 'BF16', 'F16', 'F32'];
  // Model 2 equals the base in places (δ = 0) and model 3 ties model 1's magnitudes.
  const models = [0, 1, 2, 3].map((m) =>
    baseVals.map((b, i) => (m === 2 && i % 3 === 0 ? b : b + r() * 0.1)),
  );
  // A NaN δ: dropped by a trim (|δ| ≥ t fails), kept (and propagated) without one.
  models[0]![11] = NaN;
  // ±∞ δ (kept by any trim; ∞·0 would be NaN in a branch-free product).
  models[3]![20] = Infinity;
  models[3]![4000] = -Infinity;
  models[0]![4000] = Infinity;
  const cases: [Consensus, ZeroSignRule, boolean][] = [
    ['none', 'positive', false],
    ['none', 'positive', true],
    ['sum', 'positive', true],
    ['sum', 'majority', true],
    ['count', 'majority', false],
    ['count', 'positive', true],
  ];
  for (const [consensus, zeroSign, trim] of cases) {
    for (const normalize of [true, false]) {
      it(`${consensus}/${zeroSign}/${trim ? 'thresholds' : 'no trim'}/normalize ${normalize}`, () => {
        const job: TaskArithmeticJob = {
          kind: 'task_arithmetic',
          tensorName: 't',
          shape: [n],
          numel: n,
          base: raw(baseVals, 'F32', 4),
          models: models.map((v, m) => raw(v, dtypes[m]!, m % 2 === 1 ? 2 : 0)),
          weights: [1, 0.5, -0.25, 2],
          densities: [0.5, 0.5, 0.5, 0.5],
          gammas: [0, 0, 0, 0],
          epsilons: [0, 0, 0, 0],
          consensus,
          sparsifier: trim ? 'magnitude' : 'none',
          rescale: 'none',
          normalize,
          lambda: 0.7,
          seed: 0,
          zeroSign,
          majoritySign: -1,
          rowWise: false,
          deltaScale: 1.3,
          ...(trim ? { modelScopeThresholds: [0.05, 0.02, 0, 0.2] } : {}),
        };
        const got = mergeTaskArithmetic(job);
        const want = expected(job);
        expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      });
    }
  }

  // Per-tensor magnitude trims and Breadcrumbs bands (element-wise once the bands are known).
  const finite = models.map((v) => v.map((x, i) => (Number.isFinite(x) ? x : baseVals[i]! + 0.01)));
  for (const sparsifier of ['magnitude', 'magnitude_outliers'] as const) {
    for (const consensus of ['none', 'sum'] as Consensus[]) {
      for (const [label, values] of [
        ['finite', finite],
        ['NaN and ±∞', models],
      ] as const) {
        it(`per-tensor ${sparsifier}/${consensus}/${label}`, () => {
          const job: TaskArithmeticJob = {
            kind: 'task_arithmetic',
            tensorName: 't',
            shape: [n],
            numel: n,
            base: raw(baseVals, 'F32', 4),
            models: values.map((v, m) => raw(v, dtypes[m]!, m % 2 === 1 ? 2 : 0)),
            weights: [1, 0.5, -0.25, 2],
            // Model 1 keeps everything, model 3 nothing (density 0).
            densities: [0.5, 1, 0.3, 0],
            gammas: [0.1, 0, 0.05, 0.2],
            epsilons: [0, 0, 0, 0],
            consensus,
            sparsifier,
            rescale: 'none',
            normalize: true,
            lambda: 0.7,
            seed: 0,
            zeroSign: 'positive',
            majoritySign: 0,
            rowWise: false,
            deltaScale: 1,
          };
          const got = mergeTaskArithmetic(job);
          const want = expected(job);
          expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
        });
      }
    }
  }

  // Whole-tensor sparsifiers (combine-weighted.ts): random, DELLA, row-wise bands, rescales.
  const whole: [string, Partial<TaskArithmeticJob>][] = [
    ['dare l1', { sparsifier: 'random', rescale: 'l1' }],
    ['dare inverse_density', { sparsifier: 'random', rescale: 'inverse_density' }],
    ['della', { sparsifier: 'della_magprune', rescale: 'inverse_density' }],
    ['row-wise magnitude', { sparsifier: 'magnitude', rowWise: true, shape: [n / 100, 100] }],
    ['magnitude l1', { sparsifier: 'magnitude', rescale: 'l1' }],
  ];
  for (const [label, over] of whole) {
    for (const consensus of ['none', 'sum', 'count'] as Consensus[]) {
      it(`whole-tensor ${label}/${consensus}`, () => {
        const job: TaskArithmeticJob = {
          kind: 'task_arithmetic',
          tensorName: 't',
          shape: [n],
          numel: n,
          base: raw(baseVals, 'F32', 4),
          models: models.map((v, m) => raw(v, dtypes[m]!, m % 2 === 1 ? 2 : 0)),
          weights: [1, 0.5, -0.25, 2],
          densities: [0.5, 0.7, 0.3, 0.9],
          gammas: [0, 0, 0, 0],
          epsilons: [0.1, 0.2, 0.05, 0.05],
          consensus,
          sparsifier: 'random',
          rescale: 'none',
          normalize: consensus !== 'count',
          lambda: 0.7,
          seed: 11,
          zeroSign: 'majority',
          majoritySign: 1,
          rowWise: false,
          deltaScale: 1.1,
          ...over,
        };
        const got = mergeTaskArithmetic(job);
        const want = expected(job);
        expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      });
    }
  }
});

describe('bulk decoders', () => {
  it('decode every f16 / bf16 pattern and unaligned f32 like the scalar converters', () => {
    const halves = new Uint16Array(65536).map((_, i) => i);
    const bytes = new Uint8Array(halves.buffer);
    const viaF16 = unpackToF32({ dtype: 'F16', bytes }, 65536, 'f16');
    const viaBf16 = unpackToF32({ dtype: 'BF16', bytes }, 65536, 'bf16');
    for (let h = 0; h < 65536; h++) {
      expect(Object.is(viaF16[h], Math.fround(f16ToF32(h))) || Number.isNaN(viaF16[h])).toBe(true);
      const want = bf16ToF32(h);
      if (Number.isNaN(want)) expect(viaBf16[h]).toBeNaN();
      else expect(Object.is(viaBf16[h], want)).toBe(true);
    }
    const odd = raw([1.5, -2.25, 3e-39], 'F32', 1);
    expect(Array.from(unpackToF32(odd, 3, 'odd'))).toEqual([1.5, -2.25, Math.fround(3e-39)]);
  });
});
