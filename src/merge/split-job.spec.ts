import { describe, expect, it } from 'vitest';
import { memorySinkFolder } from '../io';
import type { MergeBackend, TensorJob } from './backend';
import { createCpuBackend, mergeTensorCpu } from './cpu/index';
import { executeMerge } from './executor/index';
import { planMerge } from './plan';
import { parseRecipe } from './recipe/parse';
import { jobRange, jobRanges, splitRanges } from './split-job';
import { poolCheckpoints } from './testing-pool';
import { CHUNKED_RECIPES, PER_ROW, RECIPE_HEADS } from './testing-recipes';

describe('splitRanges', () => {
  const cases: [number, number, number, number][] = [
    [1, 2, 1, 1],
    [7, 3, 1, 1],
    [10, 4, 3, 1],
    [1023, 2, 1, 1],
    [64, 8, 8, 1],
    [100, 4, 1, 40],
    [12, 5, 4, 1],
  ];
  for (const [numel, parts, row, min] of cases)
    it(`${numel} elements, ${parts} parts, rows of ${row}, ≥ ${min}`, () => {
      const ranges = splitRanges(numel, parts, row, min);
      expect(ranges.length).toBeGreaterThanOrEqual(1);
      expect(ranges.length).toBeLessThanOrEqual(parts);
      // Contiguous, covering, whole rows, and no part shorter than min unless unsplit.
      expect(ranges[0]![0]).toBe(0);
      expect(ranges.at(-1)![1]).toBe(numel);
      ranges.forEach(([b, e], i) => {
        expect(e).toBeGreaterThan(b);
        expect(b % row).toBe(0);
        if (i > 0) expect(b).toBe(ranges[i - 1]![1]);
        if (ranges.length > 1) expect(e - b).toBeGreaterThanOrEqual(Math.min(min, row));
      });
    });

  it('splits as evenly as whole rows allow', () => {
    expect(splitRanges(10, 2)).toEqual([
      [0, 5],
      [5, 10],
    ]);
    expect(splitRanges(12, 2, 4)).toEqual([
      [0, 4],
      [4, 12],
    ]);
    expect(splitRanges(100, 4, 1, 40)).toEqual([
      [0, 50],
      [50, 100],
    ]);
  });
});

/**
 * The CPU reference, checking every chunk job the executor hands it: computed in 2 and 3
 * parts (jobRange) the values are bit-identical to the job computed whole.
 */
function checkingBackend(): MergeBackend & { split: number; whole: number } {
  const cpu = createCpuBackend();
  const seen = { split: 0, whole: 0 };
  const backend: MergeBackend & typeof seen = Object.assign(seen, {
    ...cpu,
    mergeTensor: async (job: TensorJob) => {
      const result = await cpu.mergeTensor({ ...job, output: undefined });
      if (job.splitRow === undefined) {
        seen.whole++;
        return result;
      }
      for (const parts of [2, 3]) {
        const ranges = jobRanges(job, parts, 1);
        const out = new Float32Array(job.numel);
        for (const [b, e] of ranges) {
          out.set(mergeTensorCpu(jobRange({ ...job, output: undefined }, b, e)).merged, b);
        }
        expect(new Uint32Array(out.buffer)).toEqual(new Uint32Array(result.merged.buffer));
        if (ranges.length > 1) seen.split++;
      }
      return result;
    },
  });
  return backend;
}

describe('jobRange: parts of a chunk job give the chunk’s values', () => {
  for (const [name, yaml] of Object.entries(CHUNKED_RECIPES)) {
    it(name, async () => {
      const ckpts = await poolCheckpoints(3);
      const plan = await planMerge(parseRecipe(yaml + RECIPE_HEADS, 'test.yml').recipe, ckpts);
      const backend = checkingBackend();
      const chunk = PER_ROW.has(name) ? 9 : 5;
      await executeMerge(plan, backend, memorySinkFolder(), { chunkElements: chunk });
      expect(backend.split).toBeGreaterThan(0);
      // Tensors of one chunk stay whole jobs, which compute their own statistics.
      expect(backend.whole).toBeGreaterThan(0);
    });
  }
});
