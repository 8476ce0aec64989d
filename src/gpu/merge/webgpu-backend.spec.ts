/**
 * The WebGPU backend against the project's CPU reference (createCpuBackend) on seeded random
 * jobs of awkward sizes with mixed F32/F16/BF16 inputs, on real WebGPU (Dawn on Mesa GLES).
 *
 * Tolerance: element-wise kernels do the reference's f32 operations in the same order, so they
 * agree to the bit in practice; we allow 1e-6 relative. Kernels whose scalars come from
 * whole-tensor reductions (slerp's norms and dot, Model Stock's cosines, l1 rescale) sum
 * blocks of ≤ 2048 products in f32 on the GPU (16 per thread, then a tree) and the blocks in
 * f64, while the reference sums sequentially in f64: the scalar differs by ~1e-7 relative,
 * and the outputs by about one f32 ulp. DARE/DELLA inverse rescales divide by the f32 keep
 * probability instead of the f64 one (≤ 1 ulp). So 1e-6 holds for every kind; a mask, sign or
 * vote mismatch would show as a `gross` error (> 1e-3), which must be 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCpuBackend,
  unpackToF32,
  type MergeBackend,
  type TaskArithmeticJob,
} from '../../merge';
import type { GpuContext } from '../adapter';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { gpuCase } from '../testing/gpu-case';
import { compareOnJob, comparePlanes } from '../testing/compare';
import { makeJob, type JobSpec } from '../testing/random-jobs';
import { createWebGpuBackend } from './webgpu-backend';
import type { FloatDtype } from '../../io/types';

let ctx: GpuContext;
let gpu: ReturnType<typeof createWebGpuBackend>;
let chunked: ReturnType<typeof createWebGpuBackend>;
const cpu: MergeBackend = createCpuBackend();

beforeAll(async () => {
  ctx = await requireNodeGpu();
  gpu = createWebGpuBackend(ctx);
  // 64 KiB bindings: a 2^16-element tensor needs several chunks.
  chunked = createWebGpuBackend(ctx, { maxBindingBytes: 64 * 1024 });
});
afterAll(() => {
  gpu?.dispose();
  chunked?.dispose();
});

const MIXED: FloatDtype[] = ['F32', 'F16', 'BF16', 'F16'];
const TOL = 1e-6;

async function expectSame(
  label: string,
  spec: JobSpec,
  backend: MergeBackend = gpu,
): Promise<void> {
  const r = await gpuCase(ctx, () => compareOnJob(label, makeJob(spec), backend, cpu));
  expect(r.gross, `${label}: mask/sign mismatches`).toBe(0);
  expect(r.maxRelError, `${label}: max relative error`).toBeLessThanOrEqual(TOL);
}

const TA_VARIANTS: [string, Partial<TaskArithmeticJob>][] = [
  ['task arithmetic', { sparsifier: 'none', consensus: 'none', normalize: false, lambda: 0.3 }],
  [
    'task arithmetic + inverse_density (a no-op without sparsifier)',
    { sparsifier: 'none', rescale: 'inverse_density' },
  ],
  ['ties', { sparsifier: 'magnitude', consensus: 'sum', normalize: true }],
  [
    'ties count + majority zero rule',
    { consensus: 'count', zeroSign: 'majority', majoritySign: -1 },
  ],
  [
    'dare_linear (l1)',
    { sparsifier: 'random', consensus: 'none', rescale: 'l1', normalize: false },
  ],
  ['dare_ties (inverse density)', { sparsifier: 'random', rescale: 'inverse_density' }],
  ['breadcrumbs', { sparsifier: 'magnitude_outliers', consensus: 'none', normalize: false }],
  ['breadcrumbs_ties row-wise', { sparsifier: 'magnitude_outliers', rowWise: true }],
  ['ties row-wise', { sparsifier: 'magnitude', rowWise: true, deltaScale: 1.7 }],
  ['della (inverse)', { sparsifier: 'della_magprune', rescale: 'inverse_density' }],
  [
    'della_linear (l1)',
    { sparsifier: 'della_magprune', consensus: 'none', rescale: 'l1', normalize: false },
  ],
  [
    'model-scope thresholds',
    { sparsifier: 'magnitude', modelScopeThresholds: [0.01, 0.05, 1e9, 0] },
  ],
  // Chunks of streamed tensors carry whole-tensor statistics from the executor
  // (src/merge/executor/tensor-statistics.ts); edges that are not f32 values included.
  [
    'ties chunk with given bands',
    {
      sparsifier: 'magnitude',
      tensorBands: [
        { lo: 0.02, hi: Infinity },
        null,
        { lo: Infinity, hi: -Infinity },
        { lo: 0.01, hi: 0.1 },
      ],
    },
  ],
  [
    'breadcrumbs_ties chunk with given bands and l1 factors',
    {
      sparsifier: 'magnitude_outliers',
      rescale: 'l1',
      tensorBands: [{ lo: 0.005, hi: 0.04 }, { lo: 0.03, hi: 0.09 }, null, { lo: 0, hi: 0.15 }],
      l1Factors: [1.25, 1, 0.8, 3.5],
    },
  ],
  [
    'dare_ties chunk at an element offset with given l1 factors',
    { sparsifier: 'random', rescale: 'l1', elementOffset: 777_777, l1Factors: [2, 1.5, 1, 0.9] },
  ],
  [
    'della chunk of whole rows at an element offset',
    { sparsifier: 'della_magprune', rescale: 'inverse_density', elementOffset: 4099 },
  ],
  [
    'breadcrumbs_ties row-wise chunk with given l1 factors',
    {
      sparsifier: 'magnitude_outliers',
      rowWise: true,
      rescale: 'l1',
      elementOffset: 96,
      l1Factors: [0.5, 1, 1.75, 1.1],
    },
  ],
  [
    'dare_linear chunk at an element offset (inverse density)',
    {
      sparsifier: 'random',
      consensus: 'none',
      rescale: 'inverse_density',
      normalize: false,
      elementOffset: 2 ** 20 + 1,
    },
  ],
];

const SIZES: [number, number[]][] = [
  [1, [1]],
  [3, [3]],
  [1023, [31, 33]],
  [2 ** 20 + 7, [2 ** 20 + 7]],
];

describe('WebGPU backend == CPU reference', () => {
  for (const [numel, shape] of SIZES) {
    describe(`${numel} elements`, () => {
      for (const [name, ta] of TA_VARIANTS) {
        // Row sorts of a 2^20-element row are slow on a software GPU: one row-wise case there.
        const big = numel > 4096;
        if (big && (ta.rowWise || ta.sparsifier === 'della_magprune') && name !== 'della (inverse)')
          continue;
        it(name, () =>
          expectSame(name, {
            kind: 'task_arithmetic',
            numel,
            shape,
            models: 4,
            seed: numel + 11,
            dtypes: MIXED,
            ta,
          }),
        );
      }
      it('ties with many exact ties of |δ|', () =>
        expectSame('ties/ties', {
          kind: 'task_arithmetic',
          numel,
          shape,
          models: 3,
          seed: numel + 5,
          dtypes: ['F32', 'BF16', 'F16'],
          ties: true,
          ta: { sparsifier: 'magnitude_outliers', gammas: [0.1, 0.02, 0.3] },
        }));
      for (const kind of ['linear', 'slerp', 'model_stock', 'consensus'] as const) {
        it(kind, () =>
          expectSame(kind, { kind, numel, shape, models: 3, seed: numel + 3, dtypes: MIXED }),
        );
      }
    });
  }
});

describe('chunks of streamed tensors with whole-tensor scalars from the executor', () => {
  for (const numel of [3, 1023, 2 ** 20 + 7]) {
    it(`slerp with given coefficients, model_stock with a given t (${numel} elements)`, async () => {
      const base = { numel, models: 3, seed: numel + 29, dtypes: MIXED };
      const slerp = makeJob({ ...base, kind: 'slerp' });
      const stock = makeJob({ ...base, kind: 'model_stock' });
      if (slerp.kind !== 'slerp' || stock.kind !== 'model_stock') throw new Error('job kinds');
      for (const [label, job] of [
        ['slerp', { ...slerp, coefficients: { s0: 0.71, s1: 0.42 } }],
        ['model_stock', { ...stock, t: 0.63 }],
      ] as const) {
        const r = await gpuCase(ctx, () => compareOnJob(label, job, gpu, cpu));
        expect(r.gross, `${label}: gross mismatches`).toBe(0);
        expect(r.maxRelError, `${label}: max relative error`).toBeLessThanOrEqual(TOL);
      }
    });
  }
});

describe('chunking (64 KiB bindings, 2^16 + 3 elements)', () => {
  const numel = 2 ** 16 + 3;
  for (const [name, ta] of TA_VARIANTS) {
    const shape =
      ta.rowWise || ta.sparsifier === 'della_magprune' ? [(numel - 3) / 64, 64] : [numel];
    const n = shape.reduce((a, b) => a * b, 1);
    it(name, () =>
      expectSame(
        name,
        { kind: 'task_arithmetic', numel: n, shape, models: 3, seed: 99, dtypes: MIXED, ta },
        chunked,
      ),
    );
  }
  for (const kind of ['linear', 'slerp', 'model_stock', 'consensus'] as const) {
    it(kind, () =>
      expectSame(
        kind,
        { kind, numel: 4096 * 17, shape: [4096, 17], models: 3, seed: 98, dtypes: MIXED },
        chunked,
      ),
    );
  }
});

describe('many models (beyond the 8 cached WDs and the 16 baked dtypes)', () => {
  for (const [name, ta] of TA_VARIANTS.filter(([n]) =>
    ['ties', 'dare_ties (inverse density)', 'della (inverse)'].includes(n),
  )) {
    it(`${name} with 20 models`, () =>
      expectSame(name, {
        kind: 'task_arithmetic',
        numel: 3001,
        shape: [3001],
        models: 20,
        seed: 21,
        dtypes: ['F32', 'F16', 'BF16'],
        ta,
      }));
  }
  for (const kind of ['linear', 'model_stock', 'consensus'] as const) {
    it(`${kind} with 20 models`, () =>
      expectSame(kind, { kind, numel: 3001, models: 20, seed: 22, dtypes: MIXED }));
  }
});

describe('slerp end points', () => {
  for (const t of [0, 1]) {
    it(`t = ${t} returns that input exactly, even when the other holds Inf/NaN`, async () => {
      const job = makeJob({
        kind: 'slerp',
        numel: 1001,
        models: 1,
        seed: 4,
        dtypes: ['BF16', 'F16'],
      });
      if (job.kind !== 'slerp') throw new Error('unreachable');
      const poisoned = {
        dtype: 'F32' as const,
        bytes: new Uint8Array(new Float32Array(1001).fill(NaN).buffer),
      };
      const spiked = t === 0 ? { ...job, t, b: poisoned } : { ...job, t, a: poisoned };
      const g = await gpuCase(ctx, () => gpu.mergeTensor(spiked));
      const c = await cpu.mergeTensor(spiked);
      expect(comparePlanes(g.merged, c.merged).differing).toBe(0);
      expect(g.merged.some((v) => Number.isNaN(v))).toBe(false);
    });
  }
});

describe('masks', () => {
  // One model, weight 1, no consensus: out ≠ base exactly where the sparsifier kept δ.
  const sparsifiers: [string, Partial<TaskArithmeticJob>][] = [
    ['magnitude', { sparsifier: 'magnitude' }],
    ['magnitude row-wise', { sparsifier: 'magnitude', rowWise: true }],
    ['random', { sparsifier: 'random' }],
    ['outliers', { sparsifier: 'magnitude_outliers' }],
    ['della', { sparsifier: 'della_magprune' }],
  ];
  for (const [name, ta] of sparsifiers) {
    it(`${name}: identical keep masks`, async () => {
      const job = makeJob({
        kind: 'task_arithmetic',
        numel: 4096 * 8,
        shape: [64, 512],
        models: 1,
        seed: 5,
        dtypes: ['F32', 'F16'],
        ties: name !== 'della',
        ta: {
          ...ta,
          consensus: 'none',
          normalize: false,
          weights: [1],
          densities: [0.4],
          lambda: 1,
        },
      }) as TaskArithmeticJob;
      const [g, c] = await gpuCase(ctx, async () => [
        await gpu.mergeTensor(job),
        await cpu.mergeTensor(job),
      ]);
      const base = unpackToF32(job.base, job.numel, 'base');
      let kept = 0;
      let mismatches = 0;
      for (let i = 0; i < job.numel; i++) {
        const gk = g!.merged[i] !== base[i];
        const ck = c!.merged[i] !== base[i];
        if (ck) kept++;
        if (gk !== ck) mismatches++;
      }
      expect(mismatches).toBe(0);
      // The mask is a real selection: neither everything nor nothing.
      expect(kept).toBeGreaterThan(job.numel * 0.2);
      expect(kept).toBeLessThan(job.numel * 0.8);
    });
  }
});

describe('electedSignSum', () => {
  for (const consensus of ['sum', 'count'] as const) {
    it(`equals the reference (${consensus})`, async () => {
      const job = makeJob({
        kind: 'task_arithmetic',
        numel: 50_001,
        models: 5,
        seed: 17,
        dtypes: MIXED,
        ties: true,
        ta: { consensus, sparsifier: 'random' },
      }) as TaskArithmeticJob;
      const g = await gpuCase(ctx, () => gpu.electedSignSum!(job));
      const c = await cpu.electedSignSum!(job);
      expect(g).toBe(c);
      expect(Math.abs(c)).toBeGreaterThan(0);
    });
  }
});

describe('resources', () => {
  it('reuses pipelines and returns every pooled buffer', async () => {
    const spec: JobSpec = {
      kind: 'task_arithmetic',
      numel: 5000,
      shape: [50, 100],
      models: 3,
      seed: 1,
      dtypes: MIXED,
      ta: { sparsifier: 'della_magprune' },
    };
    await gpuCase(ctx, () => gpu.mergeTensor(makeJob(spec)));
    const { cachedPipelineCount } = await import('../runtime/pipeline-cache');
    const before = cachedPipelineCount(ctx.device);
    await gpuCase(ctx, () => gpu.mergeTensor(makeJob({ ...spec, seed: 2 })));
    expect(cachedPipelineCount(ctx.device)).toBe(before);
    expect(gpu.runtime.pool.liveCount).toBe(0);
  });

  it('rejects a tensor whose bytes do not match its shape, naming it', async () => {
    const job = makeJob({ kind: 'linear', numel: 10, models: 1, seed: 1, dtypes: ['F32'] });
    if (job.kind !== 'linear') throw new Error('unreachable');
    job.models[1] = { dtype: 'F16', bytes: new Uint8Array(7) };
    await expect(gpu.mergeTensor(job)).rejects.toThrow(
      /layers\.1\.weight \(model 1\).*10 F16 elements/,
    );
  });
});
