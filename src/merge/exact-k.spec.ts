/**
 * mergekit's exactly-k magnitude trim on the CPU backend: density 0.5 on heavily tied BF16
 * inputs keeps exactly half (the tie-keeping rule kept far more), the same entries on the
 * WebAssembly and TypeScript element-wise paths, the sparsify path (l1 rescale) and the
 * streamed executor (bands over chunks, the tie cut placed by one more read); the papers'
 * model-scope TIES still keeps every tie.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memorySinkFolder, openSafetensors, memorySource } from '../io';
import type { TensorJob } from './backend';
import { createCpuBackend, mergeTensorCpu } from './cpu/index';
import { setWasmKernelsEnabled } from './cpu/wasm/kernels';
import { executeMerge } from './executor/index';
import { planMerge } from './plan';
import { parseRecipe } from './recipe/parse';
import { tieCut } from './exact-k';
import {
  changedEntries,
  keptCountJob,
  tiedCheckpoints,
  tiedTiesJob,
  tiesAtThreshold,
} from './testing-tied';

afterEach(() => setWasmKernelsEnabled(true));

describe('exactly-k magnitude trim (mergekit semantics)', () => {
  it('density 0.5 on tied BF16 inputs keeps exactly half, on every CPU path', () => {
    // 70 001: above the radix select's minimum (its histograms give the counts).
    for (const n of [4096, 3001, 70_001]) {
      const job = keptCountJob(n, 7);
      const ties = tiesAtThreshold(job, 0);
      // The precondition: far more ties than fit (the old rule kept all of them).
      expect(ties.tied).toBeGreaterThan(ties.kept + 100);
      const wasm = mergeTensorCpu(job).merged;
      setWasmKernelsEnabled(false);
      const ts = mergeTensorCpu(job).merged;
      setWasmKernelsEnabled(true);
      const l1 = mergeTensorCpu({ ...job, rescale: 'l1' }).merged;
      expect(changedEntries(job, wasm)).toBe(Math.floor(n / 2));
      expect(Array.from(ts)).toEqual(Array.from(wasm));
      expect(changedEntries(job, l1)).toBe(Math.floor(n / 2));
    }
  });

  it('ties are taken in flat-index order: one cut per model at its tieEnd', () => {
    const job = tiedTiesJob(2000, 3, 11);
    const cut = tieCut(job)!;
    const ends = cut.parts.map((p) => (p.elementOffset ?? 0) + p.numel);
    expect(cut.parts.length).toBe(4);
    expect(ends.at(-1)).toBe(2000);
    // Every part's bands are plain; before a model's cut its tie value is kept, after not.
    for (const part of cut.parts) {
      for (const band of part.tensorBands!) expect(band?.tieEnd).toBeUndefined();
    }
    const whole = mergeTensorCpu(job).merged;
    setWasmKernelsEnabled(false);
    expect(Array.from(mergeTensorCpu(job).merged)).toEqual(Array.from(whole));
  });

  it('model-scope TIES (the papers) keeps every tie with its threshold', () => {
    const job = keptCountJob(4096, 7);
    const { threshold, tied, kept } = tiesAtThreshold(job, 0);
    const paper = { ...job, modelScopeThresholds: [threshold] };
    expect(tieCut(paper)).toBeUndefined();
    expect(changedEntries(job, mergeTensorCpu(paper).merged)).toBe(2048 - kept + tied);
  });

  it('a streamed tensor (chunks, bands from the selector, tie pass) gives the whole-tensor file', async () => {
    const ckpts = await tiedCheckpoints([48, 64], 3, 5);
    const yaml =
      'merge_method: ties\nbase_model: base\nmodels: [task1, {model: task2, parameters: {weight: 0.5}}, task3]\nparameters: {density: 0.5}\n';
    const recipe = parseRecipe(yaml, 'test.yml').recipe;
    const sizes: number[] = [];
    const run = async (chunkElements?: number) => {
      const folder = memorySinkFolder();
      const cpu = createCpuBackend();
      const backend = {
        ...cpu,
        mergeTensor: (job: TensorJob) => (sizes.push(job.numel), cpu.mergeTensor(job)),
      };
      await executeMerge(await planMerge(recipe, ckpts), backend, folder, { chunkElements });
      return folder.files.get('model.safetensors')!;
    };
    const whole = await run();
    expect(sizes).toEqual([48 * 64]);
    const streamed = await run(256);
    expect(Math.max(...sizes.slice(1))).toBe(256);
    expect(Buffer.from(streamed).equals(Buffer.from(whole))).toBe(true);
    // And the file holds exactly half of task1's δ when it is merged alone.
    const alone = parseRecipe(
      'merge_method: ties\nbase_model: base\nmodels: [task1]\nparameters: {density: 0.5, normalize: false}\ndtype: float32\n',
      'alone.yml',
    ).recipe;
    const folder = memorySinkFolder();
    await executeMerge(await planMerge(alone, ckpts), createCpuBackend(), folder, {
      chunkElements: 256,
    });
    const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'o'));
    const merged = await file.readF32('w');
    const baseFile = ckpts.get('base')!;
    const baseValues = await baseFile.readF32('w');
    let changed = 0;
    for (let i = 0; i < merged.length; i++) if (merged[i] !== baseValues[i]) changed++;
    expect(changed).toBe((48 * 64) / 2);
  });
});
