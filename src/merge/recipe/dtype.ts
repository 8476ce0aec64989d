import type { FloatDtype } from '../../io/types';
import { RecipeError } from './types';

const NAMES: Record<string, FloatDtype> = {
  float32: 'F32',
  fp32: 'F32',
  float: 'F32',
  f32: 'F32',
  float16: 'F16',
  fp16: 'F16',
  half: 'F16',
  f16: 'F16',
  bfloat16: 'BF16',
  bf16: 'BF16',
};

/** mergekit / torch dtype names (and F32/F16/BF16) → the safetensors float dtype. */
export function parseDtypeName(name: string, what = 'dtype'): FloatDtype {
  const key = name.toLowerCase();
  const d = Object.hasOwn(NAMES, key) ? NAMES[key] : undefined;
  if (!d) {
    throw new RecipeError(`${what}: unknown dtype "${name}"; use float32, float16 or bfloat16`);
  }
  return d;
}

export function dtypeToRecipeName(d: FloatDtype): string {
  return d === 'F32' ? 'float32' : d === 'F16' ? 'float16' : 'bfloat16';
}

/** A valid dtype name meaning float32 (false for float16, bfloat16 and unknown names). */
export function isF32DtypeName(name: string): boolean {
  const key = name.toLowerCase();
  return Object.hasOwn(NAMES, key) && NAMES[key] === 'F32';
}
