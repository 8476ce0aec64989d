/** f32 bit-level helpers shared by the kernel wrappers. */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Bit pattern of fround(x). */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0] as number;
}

export function bitsToF32(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0] as number;
}

/**
 * Bits of the smallest non-negative f32 ≥ t, so that for every f32 a ≥ 0:
 * bits(a) ≥ result ⇔ a ≥ t (the CPU compares |δ| ≥ t in doubles). NaN keeps nothing.
 */
export function f32CeilBits(t: number): number {
  if (Number.isNaN(t)) return 0xffffffff;
  if (t <= 0) return 0;
  if (t === Infinity) return 0x7f800000;
  let bits = f32Bits(t);
  if (bitsToF32(bits) < t) bits += 1;
  return bits >>> 0;
}

/**
 * Bits of the largest f32 ≤ t (t ≥ 0), so that for every f32 a ≥ 0: bits(a) ≤ result ⇔ a ≤ t.
 * +∞ → the bits of +∞; NaN → 0 with f32CeilBits' NaN (0xffffffff) an empty band.
 */
export function f32FloorBits(t: number): number {
  if (Number.isNaN(t) || t < 0) return 0;
  if (t === Infinity) return 0x7f800000;
  let bits = f32Bits(t);
  if (bitsToF32(bits) > t) bits -= 1;
  return bits >>> 0;
}

/**
 * Integer threshold T with  bits24 < T  ⇔  bits24 / 2^24 < p  for every 24-bit integer
 * (element_bits24 in random.wgsl): T = ceil(p·2^24), clamped to [0, 2^24]. p·2^24 is exact in
 * doubles, so the GPU's integer test equals the CPU's `elementUniform(...) < p` exactly.
 */
export function keepThreshold24(p: number): number {
  if (!(p > 0)) return 0;
  return Math.min(2 ** 24, Math.ceil(p * 2 ** 24));
}
