import { describe, expect, it } from 'vitest';
import { memorySinkFolder } from '../../io';
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

describe('output arrays of streamed chunks', () => {
  it('are offered to the backend, reused, and never changed while the sink holds them', async () => {
    const yaml = CHUNKED_RECIPES.ties_model_majority! + RECIPE_HEADS;
    const plan = () => planMerge(parseRecipe(yaml, 'test.yml').recipe, ckpts);
    const ckpts = await poolCheckpoints(3);
    const whole = memorySinkFolder();
    await executeMerge(await plan(), createCpuBackend(), whole);

    const cpu = createCpuBackend();
    const offered = new Set<ArrayBufferLike>();
    let jobs = 0;
    const backend: MergeBackend = {
      ...cpu,
      mergeTensor: (job: TensorJob) => {
        jobs++;
        if (job.output) offered.add(job.output.buffer);
        return cpu.mergeTensor(job);
      },
    };
    // A sink that keeps each chunk until its write resolves, a little later, and checks the
    // bytes are still the ones it was given.
    const changed: number[] = [];
    let written: Uint8Array[] = [];
    const sink = {
      name: 'slow.safetensors',
      async write(chunk: Uint8Array) {
        const copy = chunk.slice();
        await new Promise((r) => setTimeout(r, 1));
        if (!Buffer.from(copy).equals(Buffer.from(chunk))) changed.push(written.length);
        written.push(copy);
      },
      async close() {},
      async abort() {
        written = [];
      },
    };
    await executeMerge(await plan(), backend, sink, { chunkElements: 5 });
    expect(changed).toEqual([]);
    expect(jobs).toBeGreaterThan(10);
    // Three arrays serve every chunk (one computed, one written, one spare).
    expect(offered.size).toBeGreaterThan(0);
    expect(offered.size).toBeLessThanOrEqual(3);
    const bytes = Buffer.concat(written);
    expect(bytes.equals(Buffer.from(whole.files.get('model.safetensors')!))).toBe(true);
  });
});
