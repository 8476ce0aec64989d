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

// add(): the TS loops; addAll(): pass 1 on the SIMD histogram kernel (wasm/histogram.ts).
for (const via of ['add', 'addAll'] as const)
  describe(`model-scope magnitude selector (radix select) via ${via}`, () => {
    /** Runs the selector over tensors × models and returns its thresholds and pass count. */
    async function select(
      base: number[][],
      tuned: number[][][],
      densities: number[],
      candidateBytes?: number,
    ) {
      const total = base.reduce((n, t) => n + t.length, 0);
      const sel = new CpuMagnitudeSelector(densities, total, candidateBytes);
      let passes = 0;
      do {
        passes++;
        for (let t = 0; t < base.length; t++) {
          if (via === 'addAll') {
            await sel.addAll(
              f32Raw(base[t]!),
              tuned.map((model) => f32Raw(model[t]!)),
            );
          } else {
            for (let m = 0; m < tuned.length; m++)
              await sel.add(m, f32Raw(base[t]!), f32Raw(tuned[m]![t]!));
          }
        }
      } while (sel.needsAnotherPass());
      return { passes, thresholds: sel.thresholds() };
    }

    /** The k-th largest f32 |δ| of each model by a full sort, k = floor(density·N). */
    function sorted(base: number[][], tuned: number[][][], densities: number[]): number[] {
      return tuned.map((model, m) => {
        const mags: number[] = [];
        base.forEach((b, t) =>
          b.forEach((x, i) =>
            mags.push(Math.abs(Math.fround(Math.fround(model[t]![i]!) - Math.fround(x)))),
          ),
        );
        // Descending, NaN first: the radix select counts a NaN |δ| as the largest.
        mags.sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : b - a));
        return mags[Math.floor(densities[m]! * mags.length) - 1]!;
      });
    }

    let s = 3;
    const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 4;
    // Two tensors, two models; values quantised so that many |δ| tie.
    const base = [300, 700].map((n) => Array.from({ length: n }, () => Math.round(rnd() * 8) / 8));
    const tuned = [0, 1].map(() => base.map((b) => b.map((x) => x + Math.round(rnd() * 64) / 64)));
    const densities = [0.2, 0.55];

    it('finds the exact k-th largest |δ| over all tensors, as a full sort does (two passes)', async () => {
      const got = await select(base, tuned, densities, 0);
      expect(got.passes).toBe(2);
      expect(got.thresholds).toEqual(sorted(base, tuned, densities));
    });

    it('settles pass 2 from the candidate band when it holds every element (one pass)', async () => {
      const got = await select(base, tuned, densities);
      expect(got.passes).toBe(1);
      expect(got.thresholds).toEqual(sorted(base, tuned, densities));
    });

    it('a narrowed band still gives the exact threshold in one pass on a stationary stream', async () => {
      // 10 tensors of 1000 elements cycling through 100 magnitudes 1 + j/64 (one radix bin
      // each, ten copies per tensor): 400 candidates per model force the band to narrow
      // repeatedly, down to ~2 bins around the running estimate.
      const b = Array.from({ length: 10 }, () => new Array<number>(1000).fill(0));
      const t = [b.map((row) => row.map((_, i) => (i % 2 ? -1 : 1) * (1 + (i % 100) / 64)))];
      const d = [0.255];
      const got = await select(b, t, d, 4 * 400);
      expect(got.passes).toBe(1);
      expect(got.thresholds).toEqual(sorted(b, t, d));
    });

    it('falls back to a second pass when the early estimate misses the threshold bin', async () => {
      // Magnitudes grow tensor by tensor: the band narrows around small values early on, and the
      // k-th largest over the whole model lies far above it.
      const b = Array.from({ length: 10 }, () => new Array<number>(1000).fill(0));
      const t = [b.map((row, k) => row.map((_, i) => 2 ** k * (1 + (i % 100) / 64)))];
      const d = [0.3];
      const got = await select(b, t, d, 4 * 400);
      expect(got.passes).toBe(2);
      expect(got.thresholds).toEqual(sorted(b, t, d));
    });

    it('awkward sizes (1, 3, 1023, 2^20 + 7) with NaN, ±0, ±∞ and subnormal deltas', async () => {
      const special = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-45, 3e38];
      let z = 11;
      const r = () => ((z = (Math.imul(z, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2;
      const sizes = [1, 3, 1023, (1 << 20) + 7];
      const b = sizes.map((n) => Array.from({ length: n }, () => r()));
      const t = [0, 1].map((m) =>
        b.map((row) =>
          row.map((x, i) => (i % 89 === m ? special[(i + m) % special.length]! : x + r() * 0.01)),
        ),
      );
      const d = [0.2, 0.7];
      // A small band (narrows repeatedly) and the default one.
      for (const bytes of [4 * 5000, undefined]) {
        const got = await select(b, t, d, bytes);
        const want = sorted(b, t, d);
        // A full sort puts NaN |δ| first (Array.sort's comparator keeps them in place; the
        // radix select counts them as the largest): neither threshold here is a NaN.
        expect(got.thresholds).toEqual(want);
      }
    });

    it('selections side by side and one after another (a finished one hands its kernel on) stay exact', async () => {
      const want = sorted(base, tuned, densities);
      const total = base.reduce((n, t) => n + t.length, 0);
      // Two at once, interleaved tensor by tensor: neither may count into the other's rows.
      const a = new CpuMagnitudeSelector(densities, total);
      const b = new CpuMagnitudeSelector([densities[1]!], total);
      for (let t = 0; t < base.length; t++) {
        await a.addAll(f32Raw(base[t]!), [f32Raw(tuned[0]![t]!), f32Raw(tuned[1]![t]!)]);
        await b.addAll(f32Raw(base[t]!), [f32Raw(tuned[1]![t]!)]);
      }
      expect(a.needsAnotherPass()).toBe(false);
      expect(b.needsAnotherPass()).toBe(false);
      expect(a.thresholds()).toEqual(want);
      expect(b.thresholds()).toEqual([want[1]]);
      // Then more models than before on a reused kernel: its rows must start at zero.
      for (let round = 0; round < 2; round++)
        expect((await select(base, [...tuned, tuned[0]!], [...densities, 0.4])).thresholds).toEqual(
          sorted(base, [...tuned, tuned[0]!], [...densities, 0.4]),
        );
    });

    it('more than 8 models (the kernel then counts all lanes into one row per model)', async () => {
      const many = Array.from({ length: 9 }, (_, m) => tuned[m % 2]!);
      const d = many.map((_, m) => 0.05 + 0.1 * m);
      for (const bytes of [0, undefined])
        expect((await select(base, many, d, bytes)).thresholds).toEqual(sorted(base, many, d));
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
