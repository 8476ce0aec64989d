/**
 * IEEE half (f16) and bfloat16 conversion to and from f32, bit-exact. f32 → f16/bf16 rounds to
 * nearest, ties to even; overflow becomes ±inf; subnormals are produced and read correctly; NaN
 * stays NaN (its payload is kept where it fits). Hosts are assumed little-endian, like
 * safetensors data (every browser and Node target is).
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** f32 bit pattern of an f16 bit pattern. */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal f16: normalise, since every f16 subnormal is a normal f32.
  let e = 1;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    e--;
  }
  return (sign | ((e + 112) << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
}

/** f16 bit pattern nearest (ties to even) to an f32 bit pattern. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) {
    if (mantissa === 0) return sign | 0x7c00;
    // Keep the top payload bits; force a non-zero mantissa so NaN cannot turn into inf.
    const payload = mantissa >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload);
  }
  const e = exponent - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): value in units of 2^-24 is (1.m)·2^(exponent-126).
    const shift = 14 - e;
    if (shift > 24) return sign; // below half the smallest subnormal
    const full = mantissa | 0x800000;
    let q = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (q & 1) === 1)) q++;
    return sign | q; // q may reach 0x400: the smallest normal, which is correct
  }
  let q = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (q & 1) === 1)) q++; // carry may give inf: correct
  return sign | q;
}

/** f32 bit pattern of a bf16 bit pattern (bf16 is the top half of an f32). */
export function bf16BitsToF32Bits(h: number): number {
  return (h << 16) >>> 0;
}

/** bf16 bit pattern nearest (ties to even) to an f32 bit pattern. */
export function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
    return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN: a payload only in the low half would vanish
  }
  const roundingBias = 0x7fff + ((x >>> 16) & 1);
  return ((x + roundingBias) >>> 16) & 0xffff; // overflow rounds up into the inf pattern
}

function f32Bits(value: number): number {
  scratch[0] = value;
  return scratchBits[0]!;
}

function f32FromBits(bits: number): number {
  scratchBits[0] = bits;
  return scratch[0]!;
}

/** Value of an f16 bit pattern. */
export function f16ToF32(bits: number): number {
  return f32FromBits(f16BitsToF32Bits(bits));
}

/** f16 bit pattern of `value`, which is first rounded to f32 (the input type these model). */
export function f32ToF16(value: number): number {
  return f32BitsToF16Bits(f32Bits(value));
}

export function bf16ToF32(bits: number): number {
  return f32FromBits(bf16BitsToF32Bits(bits));
}

export function f32ToBf16(value: number): number {
  return f32BitsToBf16Bits(f32Bits(value));
}

let f16Table: Uint32Array | undefined;

/** All 65,536 f16 → f32 patterns (256 KB), built on first use: bulk conversion is a lookup. */
function f16ToF32Table(): Uint32Array {
  if (!f16Table) {
    f16Table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32Bits(h);
  }
  return f16Table;
}

export function f16ArrayToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const table = f16ToF32Table();
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) outBits[i] = table[src[i]!]!;
  return out;
}

export function f32ArrayToF16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToF16Bits(bits[i]!);
  return out;
}

export function bf16ArrayToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) outBits[i] = src[i]! << 16;
  return out;
}

export function f32ArrayToBf16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToBf16Bits(bits[i]!);
  return out;
}
