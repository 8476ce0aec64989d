import { describe, expect, it } from 'vitest';
import { memorySinkFolder } from '../../io';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCheckpointPath } from '../../io/node';
import type { MergeBackend } from '../backend';
import type { MergeCheckpoint } from '../index';
import { createCpuBackend } from '../cpu/index';
import { executeMerge } from '../executor/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { poolCheckpoints, poolFiles, poolKey } from '../testing-pool';
import { CHUNKED_RECIPES, PER_ROW, RECIPE_HEADS } from '../testing-recipes';
import { createCpuWorkerBackend } from './cpu-worker-backend';

const RECIPES = [
  'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: 0.3, trim_scope: model, zero_sign: majority}',
  'merge_method: dare_ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: 0.5}\nrandom_seed: 4',
  'merge_method: slerp\nbase_model: base\nmodels: [task1]\nparameters: {t: 0.4}',
  'merge_method: linear\nmodels: [base, task1, task2]',
  'merge_method: consensus\nbase_model: base\nmodels: [task1, task2]\nparameters: {k: 1}',
];

/** The test pool's checkpoints as files in `dir`: their reads fill the executor's pooled buffers. */
async function poolOnDisk(dir: string, tasks: number): Promise<Map<string, MergeCheckpoint>> {
  const ckpts = new Map<string, MergeCheckpoint>();
  const files = poolFiles(tasks);
  for (let m = 0; m < files.length; m++) {
    const path = join(dir, `${poolKey(m)}.safetensors`);
    writeFileSync(path, files[m]!);
    ckpts.set(poolKey(m), await openCheckpointPath(path));
  }
  return ckpts;
}

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

  it('streamed chunks: inputs and output arrays in shared memory, used in place, same bytes', async () => {
    const worker = createCpuWorkerBackend();
    expect(worker.sharedBuffers).toBe(true);
    // Watch what the executor hands the worker and what comes back.
    const seen = { jobs: 0, sharedInputs: 0, outputsInPlace: 0, selectorAddAll: 0 };
    const watched: MergeBackend = {
      ...worker,
      async mergeTensor(job) {
        seen.jobs++;
        const inputs =
          job.kind === 'slerp'
            ? [job.a, job.b]
            : job.kind === 'linear'
              ? job.models
              : [job.base!, ...job.models];
        if (inputs.every((r) => r.bytes.buffer instanceof SharedArrayBuffer)) seen.sharedInputs++;
        const result = await worker.mergeTensor(job);
        if (job.output && result.merged === job.output) seen.outputsInPlace++;
        return result;
      },
      createMagnitudeSelector(d, t, c) {
        const sel = worker.createMagnitudeSelector(d, t, c);
        return {
          ...sel,
          add: sel.add.bind(sel),
          needsAnotherPass: sel.needsAnotherPass.bind(sel),
          thresholds: sel.thresholds.bind(sel),
          closePass: sel.closePass?.bind(sel),
          addAll: async (base, models) => {
            seen.selectorAddAll++;
            await sel.addAll!(base, models);
          },
        };
      },
    };
    // Files on disk: their reads fill the executor's pooled buffers (a memory source
    // hands out views of its own bytes instead).
    const dir = mkdtempSync(join(tmpdir(), 'cpu-worker-'));
    try {
      const ckpts = await poolOnDisk(dir, 2);
      const recipe = parseRecipe(`${RECIPES[0]}\nmerge_studio: {task_specific: [heads.]}`).recipe;
      const outs = [];
      for (const backend of [createCpuBackend(), watched]) {
        const folder = memorySinkFolder();
        await executeMerge(await planMerge(recipe, ckpts), backend, folder, { chunkElements: 6 });
        outs.push(folder.files.get('model.safetensors'));
      }
      expect(outs[1]).toEqual(outs[0]);
      expect(seen.jobs).toBeGreaterThan(3);
      expect(seen.sharedInputs).toBe(seen.jobs);
      expect(seen.outputsInPlace).toBeGreaterThan(0);
      expect(seen.selectorAddAll).toBeGreaterThan(0);
    } finally {
      worker.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('2 and 3 threads: chunks and selections split across workers give the in-thread bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-workers-'));
    const backends = [2, 3].map((threads) =>
      createCpuWorkerBackend({ threads, minSplitElements: 1 }),
    );
    try {
      const ckpts = await poolOnDisk(dir, 3);
      for (const [name, yaml] of Object.entries(CHUNKED_RECIPES)) {
        const recipe = parseRecipe(yaml + RECIPE_HEADS).recipe;
        const chunkElements = PER_ROW.has(name) ? 9 : 5;
        const outs = [];
        for (const backend of [createCpuBackend(), ...backends]) {
          const folder = memorySinkFolder();
          const summary = await executeMerge(await planMerge(recipe, ckpts), backend, folder, {
            chunkElements,
          });
          outs.push({ bytes: folder.files.get('model.safetensors'), summary });
        }
        for (const out of outs.slice(1)) {
          expect(out.bytes, name).toEqual(outs[0]!.bytes);
          expect(out.summary.thresholds, name).toEqual(outs[0]!.summary.thresholds);
          expect(out.summary.majoritySign, name).toEqual(outs[0]!.summary.majoritySign);
        }
      }
      for (const b of backends) expect(b.splitCalls).toBeGreaterThan(20);
    } finally {
      for (const b of backends) b.dispose();
      rmSync(dir, { recursive: true, force: true });
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
