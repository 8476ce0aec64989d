/**
 * Spherical interpolation of two tensors (mergekit semantics). Norms and the dot product are
 * whole-tensor reductions, summed in doubles; the two coefficients are then applied per
 * element. t = 0 returns `a` (the base) and t = 1 returns `b` bit-exactly.
 */
import { outputArray, type SlerpJob } from '../backend';
import { unpackToF32 } from './unpack';

export const SLERP_DOT_THRESHOLD = 0.9995;
const NORM_EPS = 1e-8;

/** The two coefficients (s0 for a, s1 for b); exported for tests and the GPU's uniforms. */
export function slerpCoefficients(
  a: Float32Array,
  b: Float32Array,
  t: number,
): { s0: number; s1: number; lerp: boolean } {
  const sums = { aa: 0, bb: 0, ab: 0 };
  addSlerpSums(a, b, sums);
  return slerpFromSums(sums.aa, sums.bb, sums.ab, t);
}

export interface SlerpSums {
  aa: number;
  bb: number;
  ab: number;
}

/**
 * Adds ‖a‖², ‖b‖², ⟨a,b⟩ into running double sums in element order (a tensor streamed chunk by
 * chunk gets exactly the whole tensor's sums).
 */
export function addSlerpSums(a: Float32Array, b: Float32Array, sums: SlerpSums): void {
  let { aa, bb, ab } = sums;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    aa += x * x;
    bb += y * y;
    ab += x * y;
  }
  sums.aa = aa;
  sums.bb = bb;
  sums.ab = ab;
}

/** The reference's coefficient formula applied to the totals ‖a‖², ‖b‖², ⟨a,b⟩. */
export function slerpFromSums(
  aa: number,
  bb: number,
  ab: number,
  t: number,
): { s0: number; s1: number; lerp: boolean } {
  // v̂ = v/‖v‖ only when ‖v‖ > eps (a zero tensor stays zero, so dot = 0 → θ = π/2).
  const na = Math.sqrt(aa);
  const nb = Math.sqrt(bb);
  const dot = ab / ((na > NORM_EPS ? na : 1) * (nb > NORM_EPS ? nb : 1));
  if (Math.abs(dot) > SLERP_DOT_THRESHOLD) return { s0: 1 - t, s1: t, lerp: true };
  const theta = Math.acos(Math.max(-1, Math.min(1, dot)));
  const sinTheta = Math.sin(theta);
  return {
    s0: Math.sin((1 - t) * theta) / sinTheta,
    s1: Math.sin(t * theta) / sinTheta,
    lerp: false,
  };
}

export function mergeSlerp(job: SlerpJob): Float32Array {
  const a = unpackToF32(job.a, job.numel, `${job.tensorName} (base)`);
  const b = unpackToF32(job.b, job.numel, `${job.tensorName} (model)`);
  if (job.t === 0) return a;
  if (job.t === 1) return b;
  const { s0, s1 } = job.coefficients ?? slerpCoefficients(a, b, job.t);
  const out = outputArray(job);
  for (let i = 0; i < job.numel; i++) out[i] = s0 * (a[i] as number) + s1 * (b[i] as number);
  return out;
}
