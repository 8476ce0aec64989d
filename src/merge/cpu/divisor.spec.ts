import { describe, expect, it } from 'vitest';
import { mergeTensorCpu } from './index';
import { setWasmKernelsEnabled } from './wasm/kernels';
import { consensusDivisorMayBeTiny, guardedDivisor } from './divisor';
import { tiedTiesJob, tiedValues } from '../testing-tied';

describe("mergekit's normalize divisor", () => {
  it('a consensus divisor is replaced only when exactly 0; a plain one below 1e-8', () => {
    expect(guardedDivisor(0, true)).toBe(1);
    expect(guardedDivisor(3e-9, true)).toBe(3e-9);
    expect(guardedDivisor(-3e-9, true)).toBe(-3e-9);
    expect(guardedDivisor(3e-9, false)).toBe(1);
    expect(guardedDivisor(2e-8, false)).toBe(2e-8);
  });

  it('finds the weights whose agreeing sums can fall in (0, 1e-8)', () => {
    const job = (weights: number[], consensus: 'sum' | 'none' = 'sum', normalize = true) => ({
      weights,
      consensus,
      normalize,
    });
    expect(consensusDivisorMayBeTiny(job([1, 0.3, 0.7]))).toBe(false);
    expect(consensusDivisorMayBeTiny(job([3e-9, 5e-9]))).toBe(true);
    // Cancelling weights: 2⁻¹⁰ − (2⁻¹⁰ − 2⁻³⁴) is 2⁻³⁴ ≈ 5.8e-11 in f32.
    expect(consensusDivisorMayBeTiny(job([2 ** -10, -(2 ** -10 - 2 ** -34)]))).toBe(true);
    expect(consensusDivisorMayBeTiny(job([1, -1]))).toBe(false);
    expect(consensusDivisorMayBeTiny(job([3e-9, 5e-9], 'none'))).toBe(false);
    expect(consensusDivisorMayBeTiny(job([3e-9, 5e-9], 'sum', false))).toBe(false);
  });

  it('TIES with normalize under tiny weights: the TS and SIMD paths divide as mergekit', () => {
    const job = tiedTiesJob(4096, 3, 21, { weights: [3e-9, 5e-9, 2e-9] });
    const simdPath = mergeTensorCpu(job).merged;
    setWasmKernelsEnabled(false);
    const ts = mergeTensorCpu(job).merged;
    setWasmKernelsEnabled(true);
    expect(Array.from(simdPath)).toEqual(Array.from(ts));
    // Agreeing entries are averaged, so the merge moves θ₀ by a δ's size (torch's exact values:
    // mergekit-exact.spec); a guard at 1e-8 left θ₀ + ~1e-9·δ, i.e. θ₀ itself.
    const [base] = tiedValues(4096, 3, 21);
    let moved = 0;
    for (let i = 0; i < ts.length; i++) if (Math.abs(ts[i]! - base![i]!) > 1 / 128) moved++;
    expect(moved).toBeGreaterThan(ts.length / 4);
  });
});
