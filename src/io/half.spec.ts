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

function isNaNPattern16(bits: number, exponentBits: number): boolean {
  const mantissaBits = 15 - exponentBits;
  const e = (bits >>> mantissaBits) & ((1 << exponentBits) - 1);
  return e === (1 << exponentBits) - 1 && (bits & ((1 << mantissaBits) - 1)) !== 0;
}

/** Next f32 above / below a positive finite f32 value. */
function f32Neighbour(value: number, direction: 1 | -1): number {
  const f = new Float32Array([value]);
  const u = new Uint32Array(f.buffer);
  u[0] = u[0]! + direction;
  return f[0]!;
}

describe('f16', () => {
  it('decodes all 65,536 patterns like the textbook formula (scalar and bulk)', () => {
    const bulk = f16ArrayToF32(allPatterns);
    let checked = 0;
    for (let h = 0; h < 65536; h++) {
      const expected = referenceValue(h, 5, 10);
      expect(Object.is(f16ToF32(h), expected) || (isNaN(expected) && isNaN(f16ToF32(h)))).toBe(
        true,
      );
      expect(Object.is(bulk[h], expected) || (isNaN(expected) && isNaN(bulk[h]!))).toBe(true);
      checked++;
    }
    expect(checked).toBe(65536);
  });

  it('round-trips every non-NaN pattern exactly and keeps NaN as NaN', () => {
    const back = f32ArrayToF16(f16ArrayToF32(allPatterns));
    for (let h = 0; h < 65536; h++) {
      if (isNaNPattern16(h, 5)) {
        expect(isNaNPattern16(back[h]!, 5)).toBe(true);
        expect(isNaNPattern16(f32ToF16(f16ToF32(h)), 5)).toBe(true);
      } else {
        expect(back[h]).toBe(h);
        expect(f32ToF16(f16ToF32(h))).toBe(h);
      }
    }
  });

  it('rounds hand-picked halfway points to even', () => {
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

  it('rounds every midpoint between neighbouring f16 values to the even one', () => {
    // Independent of the bit tricks: take consecutive positive finite f16 values a < b; their
    // midpoint must go to whichever has an even mantissa, and its f32 neighbours to the
    // nearer one.
    for (let h = 0; h < 0x7bff; h++) {
      const a = f16ToF32(h);
      const b = f16ToF32(h + 1);
      const mid = (a + b) / 2;
      expect(f32ToF16(mid)).toBe(h % 2 === 0 ? h : h + 1);
      expect(f32ToF16(f32Neighbour(mid, -1))).toBe(h);
      expect(f32ToF16(f32Neighbour(mid, 1))).toBe(h + 1);
      expect(f32ToF16(-mid)).toBe((h % 2 === 0 ? h : h + 1) | 0x8000);
    }
  });
});

describe('bf16', () => {
  it('decodes all 65,536 patterns like the textbook formula (scalar and bulk)', () => {
    const bulk = bf16ArrayToF32(allPatterns);
    for (let h = 0; h < 65536; h++) {
      const expected = referenceValue(h, 8, 7);
      const ok = (v: number) => Object.is(v, expected) || (isNaN(expected) && isNaN(v));
      expect(ok(bf16ToF32(h))).toBe(true);
      expect(ok(bulk[h]!)).toBe(true);
    }
  });

  it('round-trips every non-NaN pattern exactly and keeps NaN as NaN', () => {
    const back = f32ArrayToBf16(bf16ArrayToF32(allPatterns));
    for (let h = 0; h < 65536; h++) {
      if (isNaNPattern16(h, 8)) expect(isNaNPattern16(back[h]!, 8)).toBe(true);
      else expect(back[h]).toBe(h);
    }
  });

  it('rounds halfway points to even and overflows to inf', () => {
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie between 1 and 1+2^-7 → 1
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even mantissa 2
    expect(f32ToBf16(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(f32ToBf16(3.4028234663852886e38)).toBe(0x7f80); // max f32 rounds up to inf
    expect(f32ToBf16(-Infinity)).toBe(0xff80);
    expect(f32ToBf16(NaN) & 0x7f80).toBe(0x7f80);
    expect(f32ToBf16(NaN) & 0x7f).not.toBe(0);
    for (let h = 0; h < 0x7f7f; h += 7) {
      const mid = (bf16ToF32(h) + bf16ToF32(h + 1)) / 2;
      expect(f32ToBf16(mid)).toBe(h % 2 === 0 ? h : h + 1);
      expect(f32ToBf16(f32Neighbour(mid, 1))).toBe(h + 1);
      expect(f32ToBf16(f32Neighbour(mid, -1))).toBe(h);
    }
  });
});
