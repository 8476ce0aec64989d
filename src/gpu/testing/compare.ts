/**
 * Compares two backends on one job. Errors are relative to max(|cpu|, mean |cpu|) so values
 * near zero (cancellation) do not inflate them; `gross` counts elements off by more than
 * 1e-3 relative — a different keep mask, sign election or vote, never rounding.
 */
import type { MergeBackend, TensorJob, TensorResult } from '../../merge';

export interface PlaneComparison {
  maxRelError: number;
  maxAbsError: number;
  /** Elements whose bits differ. */
  differing: number;
  /** Elements off by > 1e-3 relative (mask or sign mismatches). */
  gross: number;
}

export interface JobComparison extends PlaneComparison {
  label: string;
  numel: number;
  gpuMs: number;
  cpuMs: number;
}

export function comparePlanes(gpu: Float32Array, cpu: Float32Array): PlaneComparison {
  if (gpu.length !== cpu.length) throw new Error(`length ${gpu.length} != ${cpu.length}`);
  let meanAbs = 0;
  for (let i = 0; i < cpu.length; i++) meanAbs += Math.abs(cpu[i] as number);
  meanAbs = cpu.length ? meanAbs / cpu.length : 0;
  const r: PlaneComparison = { maxRelError: 0, maxAbsError: 0, differing: 0, gross: 0 };
  for (let i = 0; i < cpu.length; i++) {
    const g = gpu[i] as number;
    const c = cpu[i] as number;
    if (Object.is(g, c) || g === c) continue;
    r.differing++;
    const abs = Number.isNaN(g) !== Number.isNaN(c) ? Infinity : Math.abs(g - c);
    const rel = abs / Math.max(Math.abs(c), meanAbs, 1e-30);
    r.maxAbsError = Math.max(r.maxAbsError, abs);
    r.maxRelError = Math.max(r.maxRelError, rel);
    if (rel > 1e-3) r.gross++;
  }
  return r;
}

function mergeResults(
  label: string,
  numel: number,
  gpu: TensorResult,
  cpu: TensorResult,
): PlaneComparison {
  const planes: [Float32Array, Float32Array][] = [[gpu.merged, cpu.merged]];
  const gt = gpu.taskModels ?? [];
  const ct = cpu.taskModels ?? [];
  if (gt.length !== ct.length)
    throw new Error(`${label}: ${gt.length} vs ${ct.length} task models`);
  gt.forEach((g, t) => planes.push([g, ct[t] as Float32Array]));
  const total: PlaneComparison = { maxRelError: 0, maxAbsError: 0, differing: 0, gross: 0 };
  for (const [g, c] of planes) {
    if (g.length !== numel)
      throw new Error(`${label}: GPU plane has ${g.length} elements, expected ${numel}`);
    const r = comparePlanes(g, c);
    total.maxRelError = Math.max(total.maxRelError, r.maxRelError);
    total.maxAbsError = Math.max(total.maxAbsError, r.maxAbsError);
    total.differing += r.differing;
    total.gross += r.gross;
  }
  return total;
}

export async function compareOnJob(
  label: string,
  job: TensorJob,
  gpu: MergeBackend,
  cpu: MergeBackend,
): Promise<JobComparison> {
  const t0 = performance.now();
  const g = await gpu.mergeTensor(job);
  const t1 = performance.now();
  const c = await cpu.mergeTensor(job);
  const t2 = performance.now();
  return {
    label,
    numel: job.numel,
    ...mergeResults(label, job.numel, g, c),
    gpuMs: t1 - t0,
    cpuMs: t2 - t1,
  };
}
