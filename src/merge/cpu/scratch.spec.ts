import { describe, expect, it } from 'vitest';
import { taJob } from '../testing';
import { createCpuBackend } from './index';
import { F32Scratch } from './scratch';
import { mergeTaskArithmetic, taskArithmeticSignSum } from './task-arithmetic';

function randomValues(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

describe('F32Scratch', () => {
  it('hands out the same storage for a slot, grown when needed, distinct across slots', () => {
    const s = new F32Scratch();
    const a = s.get(0, 100);
    expect(a.length).toBe(100);
    expect(s.get(0, 50).buffer).toBe(a.buffer);
    expect(s.get(1, 100).buffer).not.toBe(a.buffer);
    const grown = s.get(0, 1000);
    expect(grown.length).toBe(1000);
    expect(grown.buffer).not.toBe(a.buffer);
  });

  it('gives fresh arrays above the reuse limit', () => {
    const s = new F32Scratch();
    expect(s.get(0, (1 << 20) + 1).buffer).not.toBe(s.get(0, (1 << 20) + 1).buffer);
  });
});

describe('CPU backend reusing its scratch from job to job', () => {
  // DARE-TIES with the inverse_density rescale and DELLA: the sparsified copies come from the
  // scratch; a job after a larger one must not see the larger job's leftovers.
  const jobs = [
    { n: 1023, sparsifier: 'random', consensus: 'sum', rescale: 'inverse_density', density: 0.3 },
    { n: 17, sparsifier: 'random', consensus: 'sum', rescale: 'inverse_density', density: 0.3 },
    { n: 301, sparsifier: 'della_magprune', consensus: 'none', rescale: 'l1', density: 0.5 },
    { n: 5, sparsifier: 'none', consensus: 'sum', rescale: 'none', density: 1 },
  ] as const;

  it('gives the same tensors as fresh arrays per job', async () => {
    const backend = createCpuBackend();
    for (const [i, j] of jobs.entries()) {
      const job = taJob(
        randomValues(j.n, 10 * i),
        [1, 2, 3].map((m) => randomValues(j.n, 10 * i + m)),
        {
          tensorName: `t${i}`,
          sparsifier: j.sparsifier,
          consensus: j.consensus,
          rescale: j.rescale,
          densities: [j.density, j.density, j.density],
          epsilons: [0.1, 0.1, 0.1],
          seed: 7,
        },
      );
      const { merged } = await backend.mergeTensor(job);
      expect(Array.from(merged)).toEqual(Array.from(mergeTaskArithmetic(job)));
      // The sign sum (official TIES pre-pass) shares the scratch too.
      expect(await backend.electedSignSum?.(job)).toBe(taskArithmeticSignSum(job));
    }
    backend.dispose();
  });
});
