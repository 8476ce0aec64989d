/**
 * mergekit's normalize divisor (generalized_task_arithmetic.py): with a sign consensus the
 * divisor is Σ wₜ·maskₜ and only an exact 0 becomes 1; without one it is Σ wₜ and |div| < 1e-8
 * becomes 1. The two differ only for a divisor in (0, 1e-8) — tiny or cancelling weights.
 */
import type { TaskArithmeticJob } from '../backend';

const TINY = 1e-8;

export function guardedDivisor(div: number, consensus: boolean): number {
  if (consensus) return div === 0 ? 1 : div;
  return Math.abs(div) < TINY ? 1 : div;
}

/** Subset sums are enumerated up to this many models; beyond, a job is assumed to differ. */
const MAX_ENUMERATED = 16;

/**
 * Whether some element's consensus divisor can lie in (0, 1e-8): a nonempty subset of the
 * f32 weights whose f32 sum in model order (the kernels' order) is that small. The WGSL
 * kernels guard every divisor at 1e-8 (and a GPU may flush a subnormal divisor to 0), so the
 * WebGPU backend hands such jobs to the CPU reference, whose TS and SIMD kernels apply
 * guardedDivisor's rule. Same-sign weights of at least 1e-8 never qualify (no cancellation).
 */
export function consensusDivisorMayBeTiny(
  job: Pick<TaskArithmeticJob, 'consensus' | 'normalize' | 'weights'>,
): boolean {
  if (job.consensus === 'none' || !job.normalize) return false;
  const w = job.weights.map(Math.fround);
  const sameSign = w.every((x) => x > 0) || w.every((x) => x < 0);
  if (sameSign && w.every((x) => Math.abs(x) >= TINY)) return false;
  if (w.length > MAX_ENUMERATED) return true;
  for (let mask = 1; mask < 1 << w.length; mask++) {
    let sum = 0;
    for (let t = 0; t < w.length; t++) if (mask & (1 << t)) sum = Math.fround(sum + w[t]!);
    if (sum !== 0 && Math.abs(sum) < TINY) return true;
  }
  return false;
}
