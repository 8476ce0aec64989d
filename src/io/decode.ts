/** Raw little-endian tensor bytes → Float32Array, for the floating-point dtypes. */
import { SafetensorsError } from './errors';
import { bf16ArrayToF32, f16ArrayToF32 } from './half';
import type { Dtype } from './types';

/** Typed-array views need aligned offsets; bytes from a source may sit anywhere. */
function aligned(bytes: Uint8Array, alignment: number): Uint8Array {
  return bytes.byteOffset % alignment === 0 ? bytes : bytes.slice();
}

export function decodeToF32(
  dtype: Dtype,
  bytes: Uint8Array,
  file: string,
  tensor: string,
): Float32Array {
  switch (dtype) {
    case 'F32': {
      const b = aligned(bytes, 4);
      return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    }
    case 'F16':
    case 'BF16': {
      const b = aligned(bytes, 2);
      const halves = new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
      return dtype === 'F16' ? f16ArrayToF32(halves) : bf16ArrayToF32(halves);
    }
    case 'F64': {
      const b = aligned(bytes, 8);
      return Float32Array.from(new Float64Array(b.buffer, b.byteOffset, b.length / 8));
    }
    default:
      throw new SafetensorsError(
        file,
        tensor,
        `dtype ${dtype} is not floating point; cannot read it as f32`,
      );
  }
}
