import { describe, expect, it } from 'vitest';
import { memorySinkFolder } from '../../io/sinks';
import type { MergeBackend, TensorJob } from '../backend';
import { createCpuBackend } from '../cpu/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { poolCheckpoints } from '../testing-pool';
import { CHUNKED_RECIPES, RECIPE_HEADS } from '../testing-recipes';
import { executeMerge } from './index';

/** The CPU backend preferring `chunkElements`, recording every job's size. */
function preferring(chunkElements: number): MergeBackend & { jobSizes: number[] } {
  const cpu = createCpuBackend();
  const jobSizes: number[] = [];
  return {
    ...cpu,
    chunkElements,
    jobSizes,
    mergeTensor: (job: TensorJob) => {
      jobSizes.push(job.numel);
      return cpu.mergeTensor(job);
    },
  };
}

async function run(backend: MergeBackend, chunkElements?: number) {
  const yaml = CHUNKED_RECIPES.task_arithmetic! + RECIPE_HEADS;
  const plan = await planMerge(parseRecipe(yaml, 'test.yml').recipe, await poolCheckpoints(3));
  const folder = memorySinkFolder();
  await executeMerge(plan, backend, folder, { chunkElements });
  return folder.files.get('model.safetensors')!;
}

describe("the backend's preferred chunk size", () => {
  it('streams in chunks of the size the backend asks for, with the same bytes', async () => {
    const whole = await run(createCpuBackend());
    const backend = preferring(6);
    const chunked = await run(backend);
    // The pool's largest tensor has 32 elements: whole tensors would give jobs of 32.
    expect(Math.max(...backend.jobSizes)).toBe(6);
    expect(Buffer.from(chunked).equals(Buffer.from(whole))).toBe(true);
  });

  it("lets the executor's chunkElements option override the backend's preference", async () => {
    const backend = preferring(6);
    await run(backend, 7);
    expect(Math.max(...backend.jobSizes)).toBe(7);
  });
});
