/**
 * The WebGPU backend inside the streaming executor, chunks of 5 elements (whole rows for
 * per-row selections), against the CPU reference on whole tensors: every recipe of
 * testing-recipes.ts, so the chunks' element offsets, executor-given bands, l1 factors, slerp
 * coefficients and Model Stock t reach the GPU kernels and give the reference's numbers
 * (1e-6 relative, no mask or sign mismatch — webgpu-backend.spec.ts says why not bit-exact).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors, memorySinkFolder, memorySource } from '../../io';
import {
  type MergeBackend,
  createCpuBackend,
  unpackToF32,
  executeMerge,
  planMerge,
  parseRecipe,
} from '../../merge';
import { CHUNKED_RECIPES, PER_ROW, RECIPE_HEADS } from '../../merge/testing-recipes';
import { poolCheckpoints } from '../../merge/testing-pool';
import { comparePlanes } from '../testing/compare';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { createWebGpuBackend } from './webgpu-backend';

let gpu: ReturnType<typeof createWebGpuBackend>;
beforeAll(async () => {
  gpu = createWebGpuBackend(await requireNodeGpu());
});
afterAll(() => gpu?.dispose());

async function mergedTensors(yaml: string, backend: MergeBackend, chunkElements?: number) {
  const ckpts = await poolCheckpoints(3);
  const plan = await planMerge(parseRecipe(yaml + RECIPE_HEADS, 'test.yml').recipe, ckpts);
  const folder = memorySinkFolder();
  await executeMerge(plan, backend, folder, { chunkElements });
  const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'm'));
  const out = new Map<string, Float32Array>();
  for (const [name, info] of file.tensors) {
    if (info.dtype !== 'F32') continue;
    const numel = info.shape.reduce((a, b) => a * b, 1);
    out.set(name, unpackToF32({ dtype: 'F32', bytes: await file.readRaw(name) }, numel, name));
  }
  return out;
}

describe('WebGPU backend in the streaming executor == CPU reference on whole tensors', () => {
  for (const [name, yaml] of Object.entries(CHUNKED_RECIPES)) {
    it(name, async () => {
      const reference = await mergedTensors(yaml, createCpuBackend());
      const streamed = await mergedTensors(yaml, gpu, PER_ROW.has(name) ? 9 : 5);
      expect([...streamed.keys()]).toEqual([...reference.keys()]);
      for (const [tensor, values] of reference) {
        const r = comparePlanes(streamed.get(tensor)!, values);
        expect(r.gross, `${tensor}: mask/sign mismatches`).toBe(0);
        expect(r.maxRelError, `${tensor}: max relative error`).toBeLessThanOrEqual(1e-6);
      }
    });
  }
});
