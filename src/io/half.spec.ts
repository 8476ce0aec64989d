import { describe, expect, it } from 'vitest';
import {
  bf16ArrayToF32,
  bf16ToF32,
  f16ArrayToF32,
  f16ToF32,
  f32ArrayToBf16,
  f32ArrayToF16,
  f32ToBf16,
  f32ToF16,
} from './half';

/** The textbook definition of a binary float, evaluated in JS doubles. */
function referenceValue(bits: number, exponentBits: number, mantissaBits: number): number {
  const sign = bits >>> (exponentBits + mantissaBits) ? -1 : 1;
  const e = (bits >>> mantissaBits) & ((1 << exponentBits) - 1);
  const m = bits & ((1 << mantissaBits) - 1);
  const bias = (1 << (exponentBits - 1)) - 1;
  const scale = 2 ** mantissaBits;
  if (e === (1 << exponentBits) - 1) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * 2 ** (1 - bias) * (m / scale);
  return sign * 2 ** (e - bias) * (1 + m / scale);
}

const allPatterns = Uint16Array.from({ length: 65536 }, (_, i) => i);

function isNaNPattern(bits: number, exponentBits: number): boolean {
  const mantissaBits = 15 - exponentBits;
  const e = (bits >>> mantissaBits) & ((1 << exponentBits) - 1);
  return e === (1 << exponentBits) - 1 && (bits & ((1 << mantissaBits) - 1)) !== 0;
}

/** Same value, with NaN equal to NaN and +0 distinct from -0. */
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Next f32 above / below a positive finite f32 value. */
function f32Neighbour(value: number, direction: 1 | -1): number {
  const f = new Float32Array([value]);
  const u = new Uint32Array(f.buffer);
  u[0] = u[0]! + direction;
  return f[0]!;
}

/** Collects failures so 65,536 checks cost one assertion (and report the first few). */
function failures(count: number, check: (i: number) => string | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i < count && out.length < 5; i++) {
    const problem = check(i);
    if (problem) out.push(problem);
  }
  return out;
}

const hex = (n: number) => `0x${n.toString(16)}`;

describe.each([
  {
    label: 'f16',
    exponentBits: 5,
    toF32: f16ToF32,
    fromF32: f32ToF16,
    bulkTo: f16ArrayToF32,
    bulkFrom: f32ArrayToF16,
  },
  {
    label: 'bf16',
    exponentBits: 8,
    toF32: bf16ToF32,
    fromF32: f32ToBf16,
    bulkTo: bf16ArrayToF32,
    bulkFrom: f32ArrayToBf16,
  },
])('$label over all 65,536 patterns', ({ exponentBits, toF32, fromF32, bulkTo, bulkFrom }) => {
  it('decodes like the textbook formula (scalar and bulk)', () => {
    const bulk = bulkTo(allPatterns);
    const bad = failures(65536, (h) => {
      const expected = referenceValue(h, exponentBits, 15 - exponentBits);
      if (!same(toF32(h), expected)) return `${hex(h)}: scalar ${toF32(h)} != ${expected}`;
      if (!same(bulk[h]!, expected)) return `${hex(h)}: bulk ${bulk[h]} != ${expected}`;
      return undefined;
    });
    expect(bad).toEqual([]);
  });

  it('round-trips every non-NaN pattern exactly and keeps NaN as NaN', () => {
    const back = bulkFrom(bulkTo(allPatterns));
    let nans = 0;
    const bad = failures(65536, (h) => {
      const scalar = fromF32(toF32(h));
      if (isNaNPattern(h, exponentBits)) {
        nans++;
        return isNaNPattern(back[h]!, exponentBits) && isNaNPattern(scalar, exponentBits)
          ? undefined
          : `${hex(h)}: NaN became ${hex(back[h]!)} / ${hex(scalar)}`;
      }
      return back[h] === h && scalar === h
        ? undefined
        : `${hex(h)} → ${hex(back[h]!)} / ${hex(scalar)}`;
    });
    expect(bad).toEqual([]);
    expect(nans).toBe(2 * ((1 << (15 - exponentBits)) - 1));
  });

  it('rounds every midpoint between neighbouring finite values to the even one', () => {
    // Independent of the bit tricks: for consecutive positive finite values a < b, the
    // midpoint must go to whichever has an even pattern, its f32 neighbours to the nearer.
    const maxFinite = ((1 << exponentBits) - 1) << (15 - exponentBits);
    const bad = failures(maxFinite - 1, (h) => {
      const mid = (toF32(h) + toF32(h + 1)) / 2;
      const even = h % 2 === 0 ? h : h + 1;
      const got = [
        fromF32(mid),
        fromF32(f32Neighbour(mid, -1)),
        fromF32(f32Neighbour(mid, 1)),
        fromF32(-mid),
      ];
      const want = [even, h, h + 1, even | 0x8000];
      return got.every((g, i) => g === want[i])
        ? undefined
        : `${hex(h)}: ${got.map(hex)} != ${want.map(hex)}`;
    });
    expect(bad).toEqual([]);
  });
});

describe('f16 hand-picked cases', () => {
  it('rounds halfway points to even, overflows to inf, handles subnormals', () => {
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10 → 1 (even)
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → 1+2^-9 (even mantissa 2)
    expect(f32ToF16(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie → up
    expect(f32ToF16(65504)).toBe(0x7bff); // largest finite
    expect(f32ToF16(65519)).toBe(0x7bff); // below the tie with 65536 → stays finite
    expect(f32ToF16(65520)).toBe(0x7c00); // tie between 65504 and 2^16 → even → inf
    expect(f32ToF16(1e6)).toBe(0x7c00);
    expect(f32ToF16(-1e6)).toBe(0xfc00);
    expect(f32ToF16(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24 → 0 (even)
    expect(f32ToF16(f32Neighbour(2 ** -25, 1))).toBe(0x0001);
    expect(f32ToF16(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 ulps → 2
    expect(f32ToF16(2 ** -14 - 2 ** -25)).toBe(0x0400); // tie at the subnormal/normal edge
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f32ToF16(1e-30)).toBe(0x0000);
    expect(f32ToF16(NaN) & 0x7c00).toBe(0x7c00);
    expect(f32ToF16(NaN) & 0x3ff).not.toBe(0);
  });
});

describe('bf16 hand-picked cases', () => {
  it('rounds halfway points to even and overflows to inf', () => {
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie between 1 and 1+2^-7 → 1
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even mantissa 2
    expect(f32ToBf16(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(f32ToBf16(3.4028234663852886e38)).toBe(0x7f80); // max f32 rounds up to inf
    expect(f32ToBf16(-Infinity)).toBe(0xff80);
    expect(f32ToBf16(NaN) & 0x7f80).toBe(0x7f80);
    expect(f32ToBf16(NaN) & 0x7f).not.toBe(0);
  });
});
