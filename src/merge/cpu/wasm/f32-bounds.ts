/**
 * f32 versions of double comparisons: a kernel compares f32 with f32, the TS loops compare an
 * f32 value with a double bound. For any f32 a: a ≥ x ⟺ a ≥ ceilF32(x), a ≤ x ⟺ a ≤ floorF32(x),
 * a < x ⟺ a ≤ belowF32(x) (the largest f32 < x).
 */
const F = new Float32Array(1);
const I = new Int32Array(F.buffer);

/** The next f32 after the f32 value x, towards +∞ (up) or −∞. */
function step(x: number, up: boolean): number {
  if (Number.isNaN(x) || x === (up ? Infinity : -Infinity)) return x;
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  F[0] = x;
  I[0]! += x > 0 === up ? 1 : -1;
  return F[0]!;
}

export function ceilF32(x: number): number {
  const r = Math.fround(x);
  return r < x ? step(r, true) : r;
}

export function floorF32(x: number): number {
  const r = Math.fround(x);
  return r > x ? step(r, false) : r;
}

export function belowF32(x: number): number {
  const r = Math.fround(x);
  return r < x ? r : step(r, false);
}
