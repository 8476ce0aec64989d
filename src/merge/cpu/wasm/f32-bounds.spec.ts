import { describe, expect, it } from 'vitest';
import { belowF32, ceilF32, floorF32 } from './f32-bounds';

const f = Math.fround;
const F = new Float32Array(1);
const I = new Int32Array(F.buffer);
/** f32 values around x: its rounding and the 3 patterns on either side. */
function around(x: number): number[] {
  F[0] = x;
  const c = I[0]!;
  return [-3, -2, -1, 0, 1, 2, 3].map((d) => {
    I[0] = c + d;
    return F[0]!;
  });
}

describe('f32 bounds of double comparisons', () => {
  const xs = [1e-8, 0.05, 0.02, -0.05, 1 / 3, 0, -0, 1, 2 ** -149, 3.5e38, -3.5e38, Infinity];
  for (const x of xs) {
    it(`a ≥ ${x} ⟺ a ≥ ceil, a ≤ ${x} ⟺ a ≤ floor, a < ${x} ⟺ a ≤ below`, () => {
      for (const a of [...around(f(x)), Infinity, -Infinity, 0, -0]) {
        if (Number.isNaN(a)) continue;
        expect(a >= ceilF32(x)).toBe(a >= x);
        expect(a <= floorF32(x)).toBe(a <= x);
        expect(a <= belowF32(x)).toBe(a < x);
      }
      for (const b of [ceilF32(x), floorF32(x), belowF32(x)]) expect(f(b)).toBe(b);
    });
  }
});
