/**
 * Builds small valid safetensors files in memory, synchronously and independently of the
 * streaming writer (so tests of one can check the other). Browser-safe: used by unit tests of
 * every area and by e2e.
 */
import { f32ToBf16, f32ToF16 } from '../half';
import { DTYPE_SIZE, type Dtype } from '../types';

export interface TestTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Numeric values (row-major); default: a deterministic pattern. */
  values?: ArrayLike<number>;
  /** Raw little-endian bytes instead of values. */
  bytes?: Uint8Array;
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Deterministic values in [-0.5, 0.5) that differ per tensor name and element. */
export function patternValues(name: string, count: number): Float32Array {
  let seed = 0;
  for (let i = 0; i < name.length; i++) seed = (seed * 31 + name.charCodeAt(i)) >>> 0;
  return Float32Array.from({ length: count }, (_, i) => ((seed + i * 7919) % 997) / 997 - 0.5);
}

export function encodeValues(dtype: Dtype, values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const bytes = new Uint8Array(n * DTYPE_SIZE[dtype]);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    switch (dtype) {
      case 'F64':
        view.setFloat64(i * 8, v, true);
        break;
      case 'F32':
        view.setFloat32(i * 4, v, true);
        break;
      case 'F16':
        view.setUint16(i * 2, f32ToF16(v), true);
        break;
      case 'BF16':
        view.setUint16(i * 2, f32ToBf16(v), true);
        break;
      case 'I64':
        view.setBigInt64(i * 8, BigInt(Math.trunc(v)), true);
        break;
      case 'I32':
        view.setInt32(i * 4, v, true);
        break;
      case 'I16':
        view.setInt16(i * 2, v, true);
        break;
      case 'I8':
        view.setInt8(i, v);
        break;
      case 'U8':
      case 'BOOL':
      case 'F8_E4M3':
      case 'F8_E5M2':
        view.setUint8(i, v);
        break;
    }
  }
  return bytes;
}

function tensorBytes(t: TestTensor): Uint8Array {
  if (t.bytes) return t.bytes;
  const count = numel(t.shape);
  if (t.values) return encodeValues(t.dtype, t.values);
  const floats = ['F64', 'F32', 'F16', 'BF16'].includes(t.dtype);
  return floats
    ? encodeValues(t.dtype, patternValues(t.name, count))
    : Uint8Array.from({ length: count * DTYPE_SIZE[t.dtype] }, (_, i) => (i * 31 + 7) & 0x7f);
}

/** Assembles a file from raw header text (spaces-padded to 8) and a data area. */
export function assembleSafetensors(headerText: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + data.length).fill(0x20, 8 + json.length, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.set(data, 8 + padded);
  return out;
}

export function makeValidSafetensors(
  tensors: TestTensor[],
  metadata?: Record<string, string>,
): Uint8Array {
  // Joined by hand to keep the given order (a JS object moves integer-like keys first).
  const entries: string[] = [];
  const entry = (key: string, value: unknown) => `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  if (metadata) entries.push(entry('__metadata__', metadata));
  const chunks = tensors.map(tensorBytes);
  let offset = 0;
  tensors.forEach((t, i) => {
    const size = chunks[i]!.length;
    if (size !== numel(t.shape) * DTYPE_SIZE[t.dtype]) {
      throw new Error(`${t.name}: ${size} bytes given for ${t.dtype} ${JSON.stringify(t.shape)}`);
    }
    entries.push(
      entry(t.name, { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] }),
    );
    offset += size;
  });
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return assembleSafetensors(`{${entries.join(',')}}`, data);
}
