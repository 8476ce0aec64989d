import { describe, expect, it } from 'vitest';
import { memorySinkFolder, blobSource } from '../../io';
import type { ByteSource } from '../../io/types';
import type { MergeBackend, TensorJob } from '../backend';
import { createCpuBackend } from '../cpu/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { poolCheckpoints } from '../testing-pool';
import { executeMerge } from './index';
import { mergeTestPool } from './testing-merge';
import {
  CHUNKED_RECIPES as RECIPES,
  PER_ROW,
  RECIPE_HEADS as HEADS,
  recipeModels as models,
} from '../testing-recipes';

/** The CPU backend, recording the size of every job it receives. */
function recordingBackend(): MergeBackend & { jobSizes: number[] } {
  const cpu = createCpuBackend();
  const jobSizes: number[] = [];
  return {
    ...cpu,
    jobSizes,
    mergeTensor: (job: TensorJob) => {
      jobSizes.push(job.numel);
      return cpu.mergeTensor(job);
    },
  };
}

async function merge(yaml: string, chunkElements?: number) {
  const backend = recordingBackend();
  return { ...(await mergeTestPool(yaml, backend, chunkElements)), jobSizes: backend.jobSizes };
}

describe('chunked streaming of element-wise merges', () => {
  for (const [name, yaml] of Object.entries(RECIPES)) {
    const chunk = PER_ROW.has(name) ? 9 : 5;
    it(`${name}: chunks of ${chunk} elements give the same file as whole tensors`, async () => {
      const whole = await merge(yaml);
      const chunked = await merge(yaml, chunk);
      expect(Buffer.from(chunked.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
      expect(chunked.summary.thresholds).toEqual(whole.summary.thresholds);
      expect(chunked.summary.majoritySign).toEqual(whole.summary.majoritySign);
      expect(chunked.summary.nonFinite).toBe(0);
      // The pool's biggest tensor has 32 elements: whole jobs only ever see ≤ 32.
      expect(Math.max(...whole.jobSizes)).toBe(32);
      if (PER_ROW.has(name)) {
        // Two rows of 4 or one of 8 per chunk; 1-D tensors are one row (whole).
        expect(Math.max(...chunked.jobSizes)).toBe(8);
        expect(chunked.jobSizes.length).toBeGreaterThan(whole.jobSizes.length);
      } else {
        expect(Math.max(...chunked.jobSizes)).toBe(5);
        expect(chunked.jobSizes.length).toBeGreaterThan(whole.jobSizes.length);
      }
    });
  }

  it('reading chunks into reused buffers (readInto) gives the same file, whatever the backend keeps', async () => {
    const yaml = RECIPES.ties_model_majority!;
    const whole = await merge(yaml);
    const ckpts = await poolCheckpoints(3);
    let intoReads = 0;
    const targets = new Set<ArrayBufferLike>();
    for (const ckpt of ckpts.values()) {
      for (const file of ckpt.files) {
        const source = file.source;
        (file as { source: typeof source }).source = {
          ...source,
          async readInto(begin: number, target: Uint8Array) {
            intoReads++;
            targets.add(target.buffer);
            target.set(await source.read(begin, begin + target.length));
            return target;
          },
        };
      }
    }
    const plan = await planMerge(parseRecipe(yaml + HEADS, 'test.yml').recipe, ckpts);
    const folder = memorySinkFolder();
    const cpu = createCpuBackend();
    // A backend that scribbles over its inputs after use must not change later chunks.
    const scribbling: MergeBackend = {
      ...cpu,
      async mergeTensor(job) {
        const result = await cpu.mergeTensor(job);
        if (job.kind === 'task_arithmetic')
          for (const r of [job.base, ...job.models]) r.bytes.fill(0xff);
        return result;
      },
    };
    await executeMerge(plan, scribbling, folder, { chunkElements: 5 });
    expect(
      Buffer.from(folder.files.get('model.safetensors')!).equals(Buffer.from(whole.bytes)),
    ).toBe(true);
    expect(intoReads).toBeGreaterThan(0);
    // Buffers were reused: far fewer distinct buffers than ranged reads.
    expect(targets.size).toBeLessThan(intoReads / 4);
  });

  it('Blob sources (BYOB reads that move the buffer) give the same file and reuse moved buffers', async () => {
    const yaml = RECIPES.ties_model_majority!;
    const whole = await merge(yaml);
    const ckpts = await poolCheckpoints(3);
    let intoReads = 0;
    let reusedReads = 0;
    // Buffers a read resolved to: a later read into one of them is the pool reusing it.
    const returned = new WeakSet<ArrayBufferLike>();
    for (const ckpt of ckpts.values()) {
      for (const file of ckpt.files) {
        const bytes = await file.source.read(0, file.source.size);
        const blob = blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]));
        (file as { source: ByteSource }).source = {
          ...blob,
          async readInto(begin: number, target: Uint8Array) {
            intoReads++;
            if (returned.has(target.buffer)) reusedReads++;
            const filled = await blob.readInto!(begin, target);
            returned.add(filled.buffer);
            return filled;
          },
        };
      }
    }
    const plan = await planMerge(parseRecipe(yaml + HEADS, 'test.yml').recipe, ckpts);
    const folder = memorySinkFolder();
    await executeMerge(plan, createCpuBackend(), folder, { chunkElements: 5 });
    expect(
      Buffer.from(folder.files.get('model.safetensors')!).equals(Buffer.from(whole.bytes)),
    ).toBe(true);
    expect(intoReads).toBeGreaterThan(0);
    expect(reusedReads).toBeGreaterThan(intoReads / 2);
  });

  it('a failing read of a look-ahead chunk aborts the merge with that error', async () => {
    const ckpts = await poolCheckpoints(2);
    const plan = await planMerge(
      parseRecipe(
        `merge_method: task_arithmetic\nbase_model: base\nmodels:\n${models(2, 'weight: 1')}\n${HEADS}`,
        'test.yml',
      ).recipe,
      ckpts,
    );
    const task2 = ckpts.get('task2')!;
    const file = task2.files[0]!;
    const source = file.source;
    let reads = 0;
    (file as { source: typeof source }).source = {
      ...source,
      read: (b: number, e: number) =>
        ++reads > 6 ? Promise.reject(new Error('disk gone')) : source.read(b, e),
    };
    const folder = memorySinkFolder();
    await expect(
      executeMerge(plan, createCpuBackend(), folder, { chunkElements: 4 }),
    ).rejects.toThrow('disk gone');
    expect(folder.files.size).toBe(0);
  });
});
