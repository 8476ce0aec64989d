/**
 * mergekit's exactly-k magnitude trim (and Breadcrumbs band) on the WebGPU backend, against the CPU reference on the
 * same heavily tied BF16 inputs: density 0.5 keeps exactly half, whole-tensor jobs (the bands
 * and tie cut from exact-k.ts, the WGSL band kernels on each range), chunked bindings, the
 * majority-sign pre-pass, and the streaming executor with the GPU's own band selector.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors, memorySinkFolder, memorySource } from '../../io';
import {
  createCpuBackend,
  executeMerge,
  planMerge,
  parseRecipe,
  type MergeBackend,
} from '../../merge';
import {
  changedEntries,
  keptCountJob,
  tiedCheckpoints,
  tiedTiesJob,
  tiesAtThreshold,
} from '../../merge/testing-tied';
import type { GpuContext } from '../adapter';
import { compareOnJob, comparePlanes } from '../testing/compare';
import { gpuCase } from '../testing/gpu-case';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { createWebGpuBackend } from './webgpu-backend';

let ctx: GpuContext;
let gpu: ReturnType<typeof createWebGpuBackend>;
let small: ReturnType<typeof createWebGpuBackend>;
const cpu = createCpuBackend();

beforeAll(async () => {
  ctx = await requireNodeGpu();
  // The device's own radix selector for streamed bands (auto picks the CPU one on lavapipe).
  gpu = createWebGpuBackend(ctx, { selection: 'gpu' });
  small = createWebGpuBackend(ctx, { maxBindingBytes: 16 * 1024 });
});
afterAll(() => {
  gpu?.dispose();
  small?.dispose();
});

async function expectSame(label: string, job: Parameters<typeof compareOnJob>[1], b = gpu) {
  const r = await gpuCase(ctx, () => compareOnJob(label, job, b, cpu));
  expect(r.gross, `${label}: mask/sign mismatches`).toBe(0);
  expect(r.maxRelError, label).toBeLessThanOrEqual(1e-6);
}

describe('exactly-k magnitude trim on WebGPU == CPU', () => {
  it('density 0.5 on tied BF16 inputs keeps exactly half', async () => {
    const job = keptCountJob(4096, 7);
    const ties = tiesAtThreshold(job, 0);
    expect(ties.tied).toBeGreaterThan(ties.kept + 100);
    for (const backend of [gpu, small]) {
      const { merged } = await gpuCase(ctx, () => backend.mergeTensor(job));
      expect(changedEntries(job, merged)).toBe(2048);
    }
  });

  it('TIES of three tied models, whole and in small bindings, and the sign pre-pass', async () => {
    const job = tiedTiesJob(20_000, 3, 11);
    await expectSame('ties', job);
    await expectSame('ties, 16 KiB bindings', job, small);
    await expectSame('ties l1', { ...job, rescale: 'l1' });
    const majority = { ...job, zeroSign: 'majority' as const, majoritySign: -1 };
    await expectSame('ties majority', majority);
    const sums = await Promise.all([gpu, cpu].map((b) => b.electedSignSum!(majority)));
    expect(sums[0]).toBe(sums[1]);
  });

  it('streamed through the executor with the GPU band selector', async () => {
    const ckpts = await tiedCheckpoints([48, 64], 3, 5);
    const yaml =
      'merge_method: ties\nbase_model: base\nmodels: [task1, {model: task2, parameters: {weight: 0.5}}, task3]\nparameters: {density: 0.5}\ndtype: float32\n';
    const recipe = parseRecipe(yaml, 'test.yml').recipe;
    const run = async (backend: MergeBackend, chunkElements?: number) => {
      const folder = memorySinkFolder();
      await executeMerge(await planMerge(recipe, ckpts), backend, folder, { chunkElements });
      const bytes = folder.files.get('model.safetensors')!;
      return (await openSafetensors(memorySource(bytes, 'm'))).readF32('w');
    };
    const r = comparePlanes(await run(gpu, 256), await run(cpu));
    expect(r.gross).toBe(0);
    expect(r.maxRelError).toBeLessThanOrEqual(1e-6);
  });

  it('Breadcrumbs (magnitude_outliers) per tensor: both edges cut, whole, small bindings and streamed', async () => {
    const job = { ...tiedTiesJob(20_000, 3, 17), sparsifier: 'magnitude_outliers' as const };
    const breadcrumbs = { ...job, gammas: [0.05, 0.1, 0.02] };
    // The CPU reference keeps exactly floor(density·N) of model 0 (exact-breadcrumbs.spec).
    const one = {
      ...keptCountJob(4096, 7),
      sparsifier: 'magnitude_outliers' as const,
      gammas: [0.05],
    };
    for (const backend of [gpu, small]) {
      const { merged } = await gpuCase(ctx, () => backend.mergeTensor(one));
      expect(changedEntries(one, merged)).toBe(2048);
    }
    await expectSame('breadcrumbs_ties', breadcrumbs);
    await expectSame('breadcrumbs_ties, 16 KiB bindings', breadcrumbs, small);
    await expectSame('breadcrumbs_ties l1', { ...breadcrumbs, rescale: 'l1' });
    const ckpts = await tiedCheckpoints([48, 64], 3, 5);
    const yaml =
      'merge_method: breadcrumbs_ties\nbase_model: base\nmodels: [task1, {model: task2, parameters: {weight: 0.5}}, task3]\nparameters: {density: 0.5, gamma: 0.05}\ndtype: float32\n';
    const recipe = parseRecipe(yaml, 'bc.yml').recipe;
    const run = async (backend: MergeBackend, chunkElements?: number) => {
      const folder = memorySinkFolder();
      await executeMerge(await planMerge(recipe, ckpts), backend, folder, { chunkElements });
      return Buffer.from(folder.files.get('model.safetensors')!);
    };
    expect((await run(gpu, 256)).equals(await run(cpu))).toBe(true);
  });

  it("TIES normalize under tiny weights: mergekit's consensus divisor, the CPU reference's bits", async () => {
    const job = tiedTiesJob(3000, 3, 13, { weights: [3e-9, 5e-9, 2e-9] });
    const [g, c] = await Promise.all([gpu.mergeTensor(job), cpu.mergeTensor(job)]);
    expect(Array.from(g.merged)).toEqual(Array.from(c.merged));
  });

  it('bf16-compute jobs (mergekit dtype: bfloat16) run the CPU reference: the same bits', async () => {
    const job = tiedTiesJob(3000, 3, 13, { computeDtype: 'BF16', lambda: 0.9 });
    const [g, c] = await Promise.all([gpu.mergeTensor(job), cpu.mergeTensor(job)]);
    expect(Array.from(g.merged)).toEqual(Array.from(c.merged));
  });
});
