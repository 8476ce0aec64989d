import { describe, expect, it } from 'vitest';
import { memorySinkFolder } from '../../io/sinks';
import { createCpuBackend } from '../cpu/index';
import { executeMerge } from '../executor/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { poolCheckpoints } from '../testing-pool';
import { createCpuWorkerBackend } from './cpu-worker-backend';

const RECIPES = [
  'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: 0.3, trim_scope: model, zero_sign: majority}',
  'merge_method: dare_ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: 0.5}\nrandom_seed: 4',
  'merge_method: slerp\nbase_model: base\nmodels: [task1]\nparameters: {t: 0.4}',
  'merge_method: linear\nmodels: [base, task1, task2]',
  'merge_method: consensus\nbase_model: base\nmodels: [task1, task2]\nparameters: {k: 1}',
];

describe('CPU backend in a worker thread', () => {
  it('writes byte-identical outputs to the in-thread CPU backend (all passes)', async () => {
    const worker = createCpuWorkerBackend();
    try {
      for (const text of RECIPES) {
        const ckpts = await poolCheckpoints(2);
        const recipe = parseRecipe(`${text}\nmerge_studio: {task_specific: [heads.]}`).recipe;
        const outs = [];
        for (const backend of [createCpuBackend(), worker]) {
          const folder = memorySinkFolder();
          const summary = await executeMerge(await planMerge(recipe, ckpts), backend, folder);
          outs.push({ bytes: folder.files.get('model.safetensors'), summary });
        }
        expect(outs[1]!.bytes, text).toEqual(outs[0]!.bytes);
        expect(outs[1]!.summary.thresholds).toEqual(outs[0]!.summary.thresholds);
        expect(outs[1]!.summary.majoritySign).toEqual(outs[0]!.summary.majoritySign);
      }
    } finally {
      worker.dispose();
    }
  });

  it('reports job errors and a terminated worker as errors', async () => {
    const worker = createCpuWorkerBackend();
    const bad = {
      kind: 'linear' as const,
      tensorName: 'x',
      shape: [2],
      numel: 2,
      models: [{ dtype: 'F32' as const, bytes: new Uint8Array(4) }],
      weights: [1],
      normalize: true,
    };
    await expect(worker.mergeTensor(bad)).rejects.toThrow(/x \(model 0\): expected 2 F32 elements/);
    worker.dispose();
    await expect(worker.mergeTensor(bad)).rejects.toThrow(/worker exited/);
  });
});
