/**
 * Raw checkpoint bytes → f32. Every backend computes in f32, so this is the one place where
 * F16 / BF16 widen (exactly: every f16 and bf16 value is representable in f32).
 */
import { bf16ToF32, f16ToF32 } from '../../io';
import type { RawTensor } from '../backend';

/** IEEE half (binary16) bit pattern → number (exact). */
export const f16BitsToNumber = f16ToF32;

/** bfloat16 bit pattern → number (exact: bf16 is the top half of an f32). */
export const bf16BitsToNumber = bf16ToF32;

const BYTES: Record<RawTensor['dtype'], number> = { F32: 4, F16: 2, BF16: 2 };

/** Decodes a raw tensor of `numel` elements into a fresh Float32Array. */
export function unpackToF32(raw: RawTensor, numel: number, what: string): Float32Array {
  const size = BYTES[raw.dtype];
  if (size === undefined) throw new Error(`${what}: unsupported dtype ${String(raw.dtype)}`);
  if (raw.bytes.byteLength !== numel * size) {
    throw new Error(
      `${what}: expected ${numel} ${raw.dtype} elements (${numel * size} bytes), got ${raw.bytes.byteLength} bytes`,
    );
  }
  const out = new Float32Array(numel);
  if (LITTLE_ENDIAN) {
    // Bulk paths: a byte copy for F32, a table for F16, a shift for BF16 (all exact).
    const bytes = aligned(raw.bytes, size);
    if (raw.dtype === 'F32') {
      out.set(new Float32Array(bytes.buffer, bytes.byteOffset, numel));
    } else {
      const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, numel);
      if (raw.dtype === 'F16') {
        const table = f16Table();
        for (let i = 0; i < numel; i++) out[i] = table[halves[i]!]!;
      } else {
        const words = new Uint32Array(out.buffer);
        for (let i = 0; i < numel; i++) words[i] = halves[i]! << 16;
      }
    }
    return out;
  }
  const view = new DataView(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
  if (raw.dtype === 'F32') {
    for (let i = 0; i < numel; i++) out[i] = view.getFloat32(i * 4, true);
  } else if (raw.dtype === 'F16') {
    for (let i = 0; i < numel; i++) out[i] = f16BitsToNumber(view.getUint16(i * 2, true));
  } else {
    for (let i = 0; i < numel; i++) out[i] = bf16BitsToNumber(view.getUint16(i * 2, true));
  }
  return out;
}

/**
 * The f32 values of a raw tensor without copying when it is F32, 4-byte aligned and the
 * platform is little-endian (the usual case); otherwise a decoded copy. Read-only use.
 */
export function f32View(raw: RawTensor, numel: number, what: string): Float32Array {
  if (
    LITTLE_ENDIAN &&
    raw.dtype === 'F32' &&
    raw.bytes.byteOffset % 4 === 0 &&
    raw.bytes.byteLength === numel * 4
  ) {
    return new Float32Array(raw.bytes.buffer, raw.bytes.byteOffset, numel);
  }
  return unpackToF32(raw, numel, what);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes themselves when aligned to `size`, else an aligned copy. */
function aligned(bytes: Uint8Array, size: number): Uint8Array {
  return bytes.byteOffset % size === 0 ? bytes : bytes.slice();
}

let F16_TABLE: Float32Array | undefined;
function f16Table(): Float32Array {
  if (!F16_TABLE) {
    F16_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) F16_TABLE[h] = f16BitsToNumber(h);
  }
  return F16_TABLE;
}

/** Task vector δ = tuned − base in f32 (a Float32Array store rounds the exact double result
 * to f32, which equals f32 subtraction: double rounding is innocuous for + − × ÷). */
export function taskVector(
  base: Float32Array,
  tuned: Float32Array,
  /** Reused storage (at least base.length floats; its first base.length are overwritten). */
  out: Float32Array = new Float32Array(base.length),
): Float32Array {
  for (let i = 0; i < base.length; i++) out[i] = (tuned[i] as number) - (base[i] as number);
  return out;
}

/** Row length for row-wise work: the last dim of a ≥2-D tensor, else the whole tensor. */
export function rowLength(shape: number[], numel: number): number {
  if (shape.length < 2) return Math.max(numel, 1);
  const last = shape[shape.length - 1] as number;
  return last > 0 ? last : Math.max(numel, 1);
}
