/** Float32Array → little-endian bytes of an output float dtype. */
import { f32ArrayToBf16, f32ArrayToF16 } from './half';
import type { FloatDtype } from './types';

export function encodeF32As(dtype: FloatDtype, values: Float32Array): Uint8Array {
  switch (dtype) {
    case 'F32':
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case 'F16': {
      const halves = f32ArrayToF16(values);
      return new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
    }
    case 'BF16': {
      const halves = f32ArrayToBf16(values);
      return new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength);
    }
    default:
      throw new Error(`cannot encode f32 values as ${String(dtype)}`);
  }
}
