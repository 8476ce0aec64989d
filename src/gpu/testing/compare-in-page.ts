/**
 * Browser test entry (called by e2e/kernels.e2e.ts through callInPage): builds the seeded
 * random jobs inside the page, runs the WebGPU backend on the page's adapter (lavapipe in
 * headless Chromium) and the CPU reference on the same jobs, and returns only numbers — max
 * errors and mismatch counts — for the spec to assert on.
 */
import {
  createCpuBackend,
  type TaskArithmeticJob,
  elementUniform,
  nameHash,
  streamKey,
} from '../../merge';
import { adapterLabel } from '../adapter';
import { browserGpu } from '../browser-gpu';
import { gpuUniforms } from '../kernels/rng-probe';
import { createWebGpuBackend } from '../merge/webgpu-backend';
import { withValidationScope } from '../runtime/gpu-errors';
import { compareOnJob, type JobComparison } from './compare';
import { makeJob, randomTensors, type JobSpec } from './random-jobs';
import type { FloatDtype } from '../../io/types';

export interface InPageReport {
  adapter: string;
  fallback: boolean;
  jobs: JobComparison[];
  uniformMismatches: number;
  uniformsChecked: number;
  selector: { gpu: number[]; cpu: number[]; gpuAddAll?: number[] };
  validationError: string | null;
}

const MIXED: FloatDtype[] = ['F32', 'F16', 'BF16', 'F16'];

const TA: [string, Partial<TaskArithmeticJob>][] = [
  ['task_arithmetic', { sparsifier: 'none', consensus: 'none', normalize: false }],
  ['ties', {}],
  ['dare_ties l1', { sparsifier: 'random', rescale: 'l1' }],
  ['breadcrumbs', { sparsifier: 'magnitude_outliers', consensus: 'none' }],
  ['breadcrumbs_ties row-wise', { sparsifier: 'magnitude_outliers', rowWise: true }],
  ['della', { sparsifier: 'della_magprune', rescale: 'inverse_density' }],
];

function specs(): [string, JobSpec][] {
  const out: [string, JobSpec][] = [];
  for (const [numel, shape] of [
    [3, [3]],
    [1023, [31, 33]],
    [256 * 1024, [256, 1024]],
    [2 ** 20 + 7, [2 ** 20 + 7]],
  ] as [number, number[]][]) {
    for (const [name, ta] of TA) {
      // A 1-D tensor is a single row: row sorts of 2^20 elements are left to the 2-D case.
      if (shape.length === 1 && numel > 4096 && (ta.rowWise || ta.sparsifier === 'della_magprune'))
        continue;
      out.push([
        `${name} ${numel}`,
        { kind: 'task_arithmetic', numel, shape, models: 4, seed: numel, dtypes: MIXED, ta },
      ]);
    }
    out.push([
      `ties/ties ${numel}`,
      { kind: 'task_arithmetic', numel, shape, models: 3, seed: 7, dtypes: MIXED, ties: true },
    ]);
    for (const kind of ['linear', 'slerp', 'model_stock', 'consensus'] as const) {
      out.push([
        `${kind} ${numel}`,
        { kind, numel, shape, models: 3, seed: numel + 1, dtypes: MIXED },
      ]);
    }
  }
  return out;
}

export async function runKernelComparison(): Promise<InPageReport> {
  const ctx = await browserGpu();
  if (!ctx) throw new Error('no WebGPU adapter in this page');
  // The device's own selector is what these comparisons check (auto may pick the CPU one).
  const gpu = createWebGpuBackend(ctx, { selection: 'gpu' });
  const cpu = createCpuBackend();
  const report: InPageReport = {
    adapter: adapterLabel(ctx.info),
    fallback: ctx.info.fallback,
    jobs: [],
    uniformMismatches: 0,
    uniformsChecked: 0,
    selector: { gpu: [], cpu: [] },
    validationError: null,
  };
  try {
    await withValidationScope(ctx.device, async () => {
      for (const [label, spec] of specs())
        report.jobs.push(await compareOnJob(label, makeJob(spec), gpu, cpu));

      const key = streamKey(1234, 2, nameHash('blocks.3.mlp.w'));
      const count = 100_003;
      const u = await gpuUniforms(gpu.runtime, key, 5, count);
      for (let i = 0; i < count; i++)
        if (u[i] !== elementUniform(key, 5 + i)) report.uniformMismatches++;
      report.uniformsChecked = count;

      const set = [50_000, 1023].map((numel, t) => ({
        numel,
        ...randomTensors({ numel, models: 2, seed: 40 + t, dtypes: MIXED, ties: true }),
      }));
      const total = set.reduce((s, t) => s + t.numel, 0);
      const selectors = [
        gpu.createMagnitudeSelector([0.2, 0.7], total),
        cpu.createMagnitudeSelector([0.2, 0.7], total),
        gpu.createMagnitudeSelector([0.2, 0.7], total),
      ];
      for (const [i, s] of selectors.entries()) {
        do {
          for (const t of set) {
            // The third selector takes every model of a tensor at once (addAll).
            if (i === 2) await s.addAll!(t.base, t.models.slice(0, 2));
            else for (let m = 0; m < 2; m++) await s.add(m, t.base, t.models[m]!);
          }
          await s.closePass?.();
        } while (s.needsAnotherPass());
      }
      report.selector = {
        gpu: selectors[0]!.thresholds(),
        cpu: selectors[1]!.thresholds(),
        gpuAddAll: selectors[2]!.thresholds(),
      };
    });
  } catch (err) {
    report.validationError = err instanceof Error ? err.message : String(err);
  } finally {
    gpu.dispose();
  }
  return report;
}
