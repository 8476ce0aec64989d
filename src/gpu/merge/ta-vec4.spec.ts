/**
 * The vectorised TA-family merge (ta_vec4.wgsl: 4 elements per invocation, vec4 / packed-half
 * loads) against the CPU reference and the scalar ta.wgsl kernel, to the bit: tail lengths
 * (not multiples of 4), mixed F32/F16/BF16 inputs, every keep mode it covers (all, band,
 * none), both consensus modes, negative and cancelling weights, and chunked tensors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend, type MergeBackend, type TaskArithmeticJob } from '../../merge';
import type { FloatDtype } from '../../io/types';
import type { GpuContext } from '../adapter';
import { cachedPipelineKeys } from '../runtime/pipeline-cache';
import { comparePlanes } from '../testing/compare';
import { gpuCase } from '../testing/gpu-case';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { makeJob } from '../testing/random-jobs';
import { createWebGpuBackend } from './webgpu-backend';

let ctx: GpuContext;
let vec4: ReturnType<typeof createWebGpuBackend>;
let scalar: ReturnType<typeof createWebGpuBackend>;
let chunked: ReturnType<typeof createWebGpuBackend>;
const cpu: MergeBackend = createCpuBackend();

beforeAll(async () => {
  ctx = await requireNodeGpu();
  vec4 = createWebGpuBackend(ctx);
  scalar = createWebGpuBackend(ctx, { vectorKernels: false });
  // 64 KiB bindings: 2^16 + 3 elements of 4 mixed inputs take several chunks.
  chunked = createWebGpuBackend(ctx, { maxBindingBytes: 64 * 1024 });
});
afterAll(() => {
  vec4?.dispose();
  scalar?.dispose();
  chunked?.dispose();
});

const VARIANTS: [string, Partial<TaskArithmeticJob>][] = [
  ['task arithmetic', { sparsifier: 'none', consensus: 'none', normalize: false, lambda: 0.3 }],
  [
    'task arithmetic, normalize, delta scale',
    { sparsifier: 'none', consensus: 'none', normalize: true, deltaScale: 1.7 },
  ],
  ['ties (sum)', { sparsifier: 'magnitude', consensus: 'sum', normalize: true }],
  [
    'ties (count, majority zero rule)',
    { sparsifier: 'magnitude', consensus: 'count', zeroSign: 'majority', majoritySign: -1 },
  ],
  [
    'ties model scope (band, band, nothing)',
    { sparsifier: 'magnitude', modelScopeThresholds: [0.01, 0.05, 1e9] },
  ],
  [
    'per-tensor bands: band, none, all; negative and cancelling weights',
    { sparsifier: 'magnitude', densities: [0.3, 0, 1], weights: [0.5, -0.5, -1.25] },
  ],
  ['breadcrumbs', { sparsifier: 'magnitude_outliers', consensus: 'none', normalize: false }],
  ['breadcrumbs_ties', { sparsifier: 'magnitude_outliers', gammas: [0.1, 0.02, 0.3] }],
];

const DTYPES: FloatDtype[][] = [
  ['F32', 'F32', 'F32', 'F32'],
  ['F32', 'F16', 'BF16', 'F16'],
  ['BF16', 'F32', 'F16', 'BF16'],
];

function job(numel: number, seed: number, dtypes: FloatDtype[], ta: Partial<TaskArithmeticJob>) {
  return makeJob({
    kind: 'task_arithmetic',
    numel,
    models: 3,
    seed,
    dtypes,
    ta,
  }) as TaskArithmeticJob;
}

async function expectBitIdentical(j: TaskArithmeticJob, backend = vec4): Promise<void> {
  const [g, s] = await gpuCase(ctx, async () => [
    await backend.mergeTensor(j),
    await scalar.mergeTensor(j),
  ]);
  const c = await cpu.mergeTensor(j);
  expect(comparePlanes(g!.merged, c.merged).differing, 'vec4 vs CPU: differing elements').toBe(0);
  expect(comparePlanes(g!.merged, s!.merged).differing, 'vec4 vs scalar kernel').toBe(0);
}

describe('ta_vec4 merge == CPU reference, bit for bit', () => {
  for (const numel of [1, 3, 5, 1023, 2 ** 20 + 7]) {
    describe(`${numel} elements`, () => {
      VARIANTS.forEach(([name, ta], v) => {
        const dtypeSets = numel > 4096 ? [DTYPES[1]!] : DTYPES;
        for (const dtypes of dtypeSets) {
          it(`${name} [${dtypes.join(' ')}]`, () =>
            expectBitIdentical(job(numel, numel + v, dtypes, ta)));
        }
      });
    });
  }

  it('runs the vec4 pipeline (and the scalar backend does not)', async () => {
    const before = cachedPipelineKeys(ctx.device).filter((k) => k.startsWith('ta_vec4|')).length;
    await gpuCase(ctx, () =>
      scalar.mergeTensor(job(1001, 3, DTYPES[1]!, { modelScopeThresholds: [0.2, 0.3, 0.4] })),
    );
    const keys = () => cachedPipelineKeys(ctx.device).filter((k) => k.startsWith('ta_vec4|'));
    expect(keys().length).toBe(before);
    await gpuCase(ctx, () =>
      vec4.mergeTensor(job(1001, 3, DTYPES[1]!, { modelScopeThresholds: [0.2, 0.3, 0.4] })),
    );
    expect(keys().some((k) => k.includes('KEEP=21'))).toBe(true);
  });
});

describe('ta_vec4 non-finite count', () => {
  const poisoned = (j: TaskArithmeticJob, at: number[], value: number): TaskArithmeticJob => {
    const base = new Float32Array(j.numel).fill(0.5);
    for (const i of at) base[i] = value;
    return { ...j, base: { dtype: 'F32', bytes: new Uint8Array(base.buffer) } };
  };
  it('counts NaN / ±Inf results like the CPU reference, tail lanes included', async () => {
    const j = poisoned(job(1023, 5, DTYPES[1]!, { sparsifier: 'none' }), [0, 17, 1022], NaN);
    const g = await gpuCase(ctx, () => vec4.mergeTensor(j));
    const c = await cpu.mergeTensor(j);
    expect(comparePlanes(g.merged, c.merged).differing).toBe(0);
    expect(g.nonFinite).toBe(3);
    const inf = poisoned(job(1021, 6, DTYPES[0]!, { sparsifier: 'none' }), [1020], Infinity);
    expect((await gpuCase(ctx, () => vec4.mergeTensor(inf))).nonFinite).toBe(1);
  });
  it('never counts the padding lanes past the chunk length', async () => {
    // Leave NaN in pooled buffers, then merge 5 finite elements in the same buckets.
    const all = Array.from({ length: 8 }, (_, i) => i);
    await gpuCase(ctx, () =>
      vec4.mergeTensor(poisoned(job(8, 7, DTYPES[0]!, { sparsifier: 'none' }), all, NaN)),
    );
    const g = await gpuCase(ctx, () =>
      vec4.mergeTensor(job(5, 8, DTYPES[0]!, { sparsifier: 'none' })),
    );
    expect(g.nonFinite).toBe(0);
  });
});

describe('ta_vec4 merge over chunks (64 KiB bindings)', () => {
  VARIANTS.forEach(([name, ta], v) => {
    it(`${name}, 2^16 + 3 mixed elements`, () =>
      expectBitIdentical(job(2 ** 16 + 3, 40 + v, DTYPES[1]!, ta), chunked));
  });
  it('15 models (the most the vec4 path bakes), 2^16 + 1 elements', () =>
    expectBitIdentical(
      makeJob({
        kind: 'task_arithmetic',
        numel: 2 ** 16 + 1,
        models: 15,
        seed: 77,
        dtypes: ['F32', 'F16', 'BF16'],
        ta: { sparsifier: 'magnitude', consensus: 'sum' },
      }) as TaskArithmeticJob,
      chunked,
    ));
});
