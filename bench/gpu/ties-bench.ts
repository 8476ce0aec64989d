/**
 * One 8 × 4M-element TIES tensor (f32, per-tensor magnitude trim, sum election, normalize) on
 * the WebGPU backend and on the plain CPU reference, in the same process: wall-clock times
 * (upload + kernels + readback for the GPU) and the agreement of the two results.
 * Browser-safe; run in Node with `npx tsx bench/gpu/ties-node.ts`, in Chromium through
 * e2e/kernels.e2e.ts.
 */
import { type GpuContext, adapterLabel } from '../../src/gpu/adapter';
import { createCpuBackend } from '../../src/merge/cpu';
import { createWebGpuBackend } from '../../src/gpu/merge/webgpu-backend';
import { comparePlanes } from '../../src/gpu/testing/compare';
import { makeJob } from '../../src/gpu/testing/random-jobs';

export interface TiesBenchResult {
  adapter: string;
  numel: number;
  models: number;
  /** First GPU run (includes shader compilation). */
  gpuColdMs: number;
  /** Median of the following (warm) GPU runs. */
  gpuMs: number;
  cpuMs: number;
  maxRelError: number;
  gross: number;
  /** Phase breakdown of one extra, profiled GPU run (upload / statistics / merge+readback). */
  phases: Record<string, number>;
}

export async function benchTies(
  ctx: GpuContext,
  numel = 4 * 1024 * 1024,
  models = 8,
  runs = 4,
): Promise<TiesBenchResult> {
  const job = makeJob({
    kind: 'task_arithmetic',
    numel,
    models,
    seed: 2024,
    dtypes: ['F32'],
    ta: {
      sparsifier: 'magnitude',
      consensus: 'sum',
      normalize: true,
      densities: Array(models).fill(0.2),
    },
  });
  const gpu = createWebGpuBackend(ctx);
  try {
    const times: number[] = [];
    let merged: Float32Array | undefined;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      merged = (await gpu.mergeTensor(job)).merged;
      times.push(performance.now() - t0);
    }
    const profiled = createWebGpuBackend(ctx, { profile: true });
    await profiled.mergeTensor(job);
    const phases = Object.fromEntries(profiled.runtime.phases);
    profiled.dispose();
    const t1 = performance.now();
    const reference = (await createCpuBackend().mergeTensor(job)).merged;
    const cpuMs = performance.now() - t1;
    const warm = times.slice(1).sort((a, b) => a - b);
    const cmp = comparePlanes(merged as Float32Array, reference);
    return {
      adapter: adapterLabel(ctx.info),
      numel,
      models,
      gpuColdMs: times[0] as number,
      gpuMs: (warm[Math.floor(warm.length / 2)] ?? times[0]) as number,
      cpuMs,
      maxRelError: cmp.maxRelError,
      gross: cmp.gross,
      phases,
    };
  } finally {
    gpu.dispose();
  }
}
