/**
 * DARE on the SIMD kernels (random-drop.ts, kernels.wat's dareDelta / dareSums) must give the
 * reference's bits: weightedDeltas (sparsify's per-element hash, rescale) and the election /
 * divisor formulas written out in testing/reference-ta.ts. On finite inputs no tile may fall
 * back to the reference, so the kernels themselves are what is compared.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Consensus, RescaleMode, TaskArithmeticJob } from '../backend';
import { elementUniform, nameHash, streamKey } from '../random';
import { addRandomDropL1Sums, mergeRandomDrop } from './random-drop';
import { referenceTaskArithmetic } from './testing/reference-ta';
import { keepBelow } from './wasm/dare';
import { setWasmKernelsEnabled } from './wasm/kernels';
import { rng, taskArithmeticJob } from './testing/random-inputs';

function makeJob(
  n: number,
  over: Partial<TaskArithmeticJob>,
  values?: (m: number, i: number, b: number) => number,
): TaskArithmeticJob {
  const r = rng(n + 7);
  const base = Float32Array.from({ length: n }, () => r());
  const models = [0, 1, 2, 3].map((m) =>
    base.map((b, i) => (values ? values(m, i, b) : b + r() * 0.1)),
  );
  return taskArithmeticJob([base, ...models], {
    tensorName: 'blocks.3.mlp.weight',
    // Model 1 keeps everything, model 2 nothing.
    densities: [0.3, 1, 0, 0.77],
    consensus: 'sum',
    sparsifier: 'random',
    rescale: 'l1',
    normalize: true,
    seed: 42,
    majoritySign: 0,
    deltaScale: 1.1,
    ...over,
  });
}

/** The SIMD merge, failing the test if any tile went back to the reference. */
function simdOnly(job: TaskArithmeticJob): Float32Array {
  let fallbacks = 0;
  const result = mergeRandomDrop(job, (part) => {
    fallbacks++;
    return referenceTaskArithmetic(part);
  });
  expect(result).toBeDefined();
  expect(fallbacks).toBe(0);
  return result!.merged;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

describe('DARE on the SIMD kernels', () => {
  afterEach(() => setWasmKernelsEnabled(true));

  const rescales: RescaleMode[] = ['none', 'inverse_density', 'l1'];
  const consensuses: Consensus[] = ['none', 'sum', 'count'];
  for (const n of [1, 3, 1023, 9000]) {
    for (const rescale of rescales) {
      for (const consensus of consensuses) {
        it(`${n} elements, rescale ${rescale}, consensus ${consensus}`, () => {
          const job = makeJob(n, { rescale, consensus, normalize: consensus !== 'count' });
          expect(sameBits(simdOnly(job), referenceTaskArithmetic(job))).toBe(true);
        });
      }
    }
  }

  it('a chunk: given l1 factors and stream indices past 2^32 (they wrap, as in random.ts)', () => {
    const job = makeJob(9000, {
      l1Factors: [1.7, 1, 3.25, 0.9],
      elementOffset: 2 ** 32 - 4000,
      consensus: 'none',
    });
    expect(sameBits(simdOnly(job), referenceTaskArithmetic(job))).toBe(true);
  });

  it('keeps exactly the elements whose uniform is below the density (boundary)', () => {
    const job = makeJob(64, { rescale: 'none', consensus: 'none', normalize: false });
    const key = streamKey(job.seed, 0, nameHash(job.tensorName));
    // Density equal to element 5's uniform drops it; one step above keeps it.
    const u = elementUniform(key, 5);
    for (const density of [u, u + 2 ** -24]) {
      const at = { ...job, densities: [density, 1, 0, 0.77] };
      expect(keepBelow(density)).toBe(Math.ceil(density * 2 ** 24));
      expect(sameBits(simdOnly(at), referenceTaskArithmetic(at))).toBe(true);
    }
    expect(keepBelow(1)).toBe(0xffffffff);
    expect(keepBelow(0)).toBe(0);
  });

  it('NaN and ±∞ inputs: the same bits (NaN tiles recomputed by the reference)', () => {
    const job = makeJob(9000, { consensus: 'sum' }, (m, i, b) =>
      m === 0 && i === 11 ? NaN : m === 3 && i === 20 ? Infinity : b + Math.sin(i + m) * 0.05,
    );
    const got = mergeRandomDrop(job, referenceTaskArithmetic)!.merged;
    const want = referenceTaskArithmetic(job);
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(want[i])) expect(got[i]).toBeNaN();
      else expect(Object.is(got[i], want[i])).toBe(true);
    }
  });

  it('l1 sums: the SIMD kernel adds the same doubles as the TypeScript loop', () => {
    const n = 20001;
    const r = rng(3);
    const base = Float32Array.from({ length: n }, () => r());
    const tuned = base.map((b) => b + r() * 1e-3);
    const job = makeJob(8, {});
    const sums = (offset: number) => {
      const s = { before: 0.25, after: 0.125 }; // continuing running sums
      addRandomDropL1Sums(job, 0, { base, tuned }, offset, s);
      return s;
    };
    const simd = [sums(0), sums(2 ** 31 + 5)];
    setWasmKernelsEnabled(false);
    const ts = [sums(0), sums(2 ** 31 + 5)];
    expect(simd).toEqual(ts);
    // The TypeScript path in caller-owned scratch arrays (dirty ones) gives the same sums.
    const scratched = { before: 0.25, after: 0.125 };
    const scratch = { delta: new Float32Array(n).fill(7), kept: new Float32Array(n).fill(7) };
    addRandomDropL1Sums(job, 0, { base, tuned }, 0, scratched, scratch);
    expect(scratched).toEqual(ts[0]);
    expect(simd[0]!.after).toBeLessThan(simd[0]!.before);
    expect(simd[0]).not.toEqual(simd[1]);
  });
});
