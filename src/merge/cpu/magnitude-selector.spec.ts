import { describe, expect, it } from 'vitest';
import type { RawTensor } from '../backend';
import { f32Raw } from '../testing';
import { CpuMagnitudeSelector } from './magnitude-selector';
import { unpackToF32 } from './unpack';

function bf16Raw(values: number[]): RawTensor {
  // Truncating f32 → bf16 (exact for the values used: few mantissa bits).
  const f = new Float32Array(values);
  const u = new Uint32Array(f.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (u[i] as number) >>> 16;
  return { dtype: 'BF16', bytes: new Uint8Array(out.buffer) };
}

describe('model-scope magnitude selector (radix select)', () => {
  it('finds the exact k-th largest |δ| over all tensors, as a full sort does', async () => {
    let s = 3;
    const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 4;
    // Two tensors, two models; values quantised so that many |δ| tie.
    const shapes = [300, 700];
    const base = shapes.map((n) => Array.from({ length: n }, () => Math.round(rnd() * 8) / 8));
    const tuned = [0, 1].map(() => base.map((b) => b.map((x) => x + Math.round(rnd() * 64) / 64)));
    const densities = [0.2, 0.55];
    const total = 1000;
    const sel = new CpuMagnitudeSelector(densities, total);
    let passes = 0;
    do {
      passes++;
      for (let t = 0; t < 2; t++) {
        for (let m = 0; m < 2; m++) await sel.add(m, f32Raw(base[t]!), f32Raw(tuned[m]![t]!));
      }
    } while (sel.needsAnotherPass());
    expect(passes).toBe(2);
    const got = sel.thresholds();
    for (let m = 0; m < 2; m++) {
      const mags: number[] = [];
      for (let t = 0; t < 2; t++) {
        base[t]!.forEach((b, i) =>
          mags.push(Math.abs(Math.fround(Math.fround(tuned[m]![t]![i]!) - Math.fround(b)))),
        );
      }
      mags.sort((a, b) => b - a);
      const k = Math.floor((densities[m] as number) * total);
      expect(got[m]).toBe(mags[k - 1]);
    }
  });

  it('mixed dtypes, density 1 → 0, k = 0 → +∞', async () => {
    const sel = new CpuMagnitudeSelector([1, 0.001, 0.5], 4);
    const base = bf16Raw([1, 2, 3, 4]);
    const tuned = bf16Raw([1.5, 0, 3.25, 8]);
    // |δ| = .5, 2, .25, 4 → k = 2 → 2.
    expect(Array.from(unpackToF32(tuned, 4, 't'))).toEqual([1.5, 0, 3.25, 8]);
    do {
      for (let m = 0; m < 3; m++) await sel.add(m, base, tuned);
    } while (sel.needsAnotherPass());
    expect(sel.thresholds()).toEqual([0, Infinity, 2]);
  });
});

describe('unpack', () => {
  it('decodes reference F16 and BF16 bit patterns', () => {
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555]);
    const v = unpackToF32({ dtype: 'F16', bytes: new Uint8Array(f16.buffer) }, 6, 'x');
    expect(Array.from(v)).toEqual([1, -2, 65504, 2 ** -24, Infinity, Math.fround(0.333251953125)]);
    const bf = new Uint16Array([0x3f80, 0xc040, 0x0000]);
    expect(
      Array.from(unpackToF32({ dtype: 'BF16', bytes: new Uint8Array(bf.buffer) }, 3, 'x')),
    ).toEqual([1, -3, 0]);
  });
});
