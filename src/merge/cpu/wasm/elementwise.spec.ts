/**
 * The SIMD kernels against the reference formulas (testing/reference-ta.ts), bit for bit, on
 * awkward sizes (partial groups of 4, partial tiles, > 1 tile), every consensus / zero rule,
 * trims with double bounds that are not f32 values, the divisor guards at their f32 edge,
 * and inputs with NaN / ±0 / ±∞ / subnormals in F32, BF16 and F16.
 */
import { describe, expect, it } from 'vitest';
import type { Consensus, TaskArithmeticJob, ZeroSignRule } from '../../backend';
import { elementwiseInputs, mergeElementwiseRange, modelScopeBands } from '../elementwise-ta';
import { mergeTaskArithmetic } from '../task-arithmetic';
import { referenceTaskArithmetic } from '../testing/reference-ta';
import { mergeElementwiseWasm, WASM_TILE } from './elementwise';
import { loadKernels } from './kernels';
import { rng, taskArithmeticJob } from '../testing/random-inputs';

const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -3e-39, 3e38, -3e38];

/** Base + 4 models of n elements; `special` sprinkles the values above into models and base. */
function inputs(n: number, special: boolean, seed: number): Float32Array[] {
  const r = rng(seed);
  const base = Float32Array.from({ length: n }, () => r());
  const models = [0, 1, 2, 3].map((m) =>
    base.map((b, i) => (m === 2 && i % 3 === 0 ? b : b + r() * 0.1)),
  );
  if (special) {
    for (let i = 0; i < n; i += 97) {
      const v = SPECIAL[(i / 97) % SPECIAL.length]!;
      models[(i / 97) % 4]![i] = v;
      if (i % 5 === 0) base[i] = SPECIAL[(i * 7) % SPECIAL.length]!;
    }
  }
  return [base, ...models];
}

const job = taskArithmeticJob;

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The wasm path alone, how many tiles it sent to the TS loop, and its non-finite count. */
function viaWasm(j: TaskArithmeticJob): {
  out: Float32Array;
  fallbacks: number;
  nonFinite: number;
} {
  const kernels = loadKernels();
  if (!kernels) throw new Error('WebAssembly SIMD is missing in this Node');
  const bands = modelScopeBands(j);
  const ins = elementwiseInputs(j);
  const out = new Float32Array(j.numel);
  const counts = mergeElementwiseWasm(kernels, j, bands, ins, out, (from, to) =>
    mergeElementwiseRange(j, bands, ins, out, from, to),
  );
  return { out, ...counts };
}

const variants: [string, Consensus, ZeroSignRule, boolean, boolean][] = [
  ['task arithmetic', 'none', 'positive', false, false],
  ['task arithmetic, normalize', 'none', 'positive', false, true],
  ['thresholds, consensus none', 'none', 'positive', true, false],
  ['ties sum / positive', 'sum', 'positive', true, true],
  ['ties sum / majority', 'sum', 'majority', true, true],
  ['ties sum, no trims', 'sum', 'positive', false, false],
  ['ties count / majority', 'count', 'majority', true, true],
  ['ties count / positive, no trims', 'count', 'positive', false, false],
];
// Not f32 values (0.05, 0.02) and the edges +∞ (keep nothing) and 0 (keep all).
const thresholds = [0.05, 0.02, 0, Infinity];

describe('SIMD element-wise kernels', () => {
  for (const n of [1, 3, 1023, WASM_TILE + 5, (1 << 20) + 7]) {
    for (const [label, consensus, zeroSign, trim, normalize] of variants) {
      const over: Partial<TaskArithmeticJob> = {
        consensus,
        zeroSign,
        normalize,
        ...(trim ? { sparsifier: 'magnitude', modelScopeThresholds: thresholds } : {}),
      };
      it(`n = ${n}, ${label}: finite inputs, no fallback, same bits`, () => {
        const j = job(inputs(n, false, n), over);
        const { out, fallbacks } = viaWasm(j);
        expect(fallbacks).toBe(0);
        expect(bits(out).equals(bits(referenceTaskArithmetic(j)))).toBe(true);
      });
      it(`n = ${n}, ${label}: NaN / ±0 / ±∞ / subnormals, same bits`, () => {
        const j = job(inputs(n, true, n + 1), over);
        const want = referenceTaskArithmetic(j);
        const got = viaWasm(j);
        expect(bits(got.out).equals(bits(want))).toBe(true);
        expect(got.nonFinite).toBe(want.filter((v) => !Number.isFinite(v)).length);
        // The engine's own entry point takes the same path.
        expect(bits(mergeTaskArithmetic(j)).equals(bits(want))).toBe(true);
      });
    }
  }

  it('the divisor guard at its f32 edge (plain: fround(1e-8) < 1e-8 divides by 1; consensus: only 0 does)', () => {
    const values = inputs(37, false, 3);
    for (const w of [Math.fround(1e-8), 1e-8, 2e-8, -Math.fround(1e-8)]) {
      const j = job(values, { weights: [w, 0, 0, 0], normalize: true });
      expect(bits(viaWasm(j).out).equals(bits(referenceTaskArithmetic(j)))).toBe(true);
      const t = job(values, { weights: [w, 0, 0, 0], normalize: true, consensus: 'sum' });
      expect(bits(viaWasm(t).out).equals(bits(referenceTaskArithmetic(t)))).toBe(true);
    }
  });

  it('a NaN under count goes back to the TS loop (the only tile with one)', () => {
    const values = inputs(3 * WASM_TILE, false, 9);
    values[1]![WASM_TILE + 10] = NaN;
    const j = job(values, { consensus: 'count', zeroSign: 'majority', normalize: true });
    const { out, fallbacks } = viaWasm(j);
    expect(fallbacks).toBe(1);
    expect(bits(out).equals(bits(referenceTaskArithmetic(j)))).toBe(true);
  });
});
