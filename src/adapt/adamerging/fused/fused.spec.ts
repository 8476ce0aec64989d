/**
 * The fused WebGPU AdaMerging step (Node, Dawn) against tfjs autodiff on the cpu backend — the
 * independent reference: same zoo, same seeded batches. Fails (never skips) without an adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '../../testing/expect-close';
import { requireNodeGpu } from '../../../gpu/testing/node-test-gpu';
import { DispatchPlan, GpuRuntime, type GpuContext } from '../../../gpu';
import { DEFAULT_VIT_CONFIG } from '../../../models';
import { initTf } from '../../../tf';
import { firstStepGradient } from '../gradient';
import { runAdaMerging } from '../run';
import { AdaMergingSession } from '../session';
import { syntheticZoo } from '../../../zoo/testing/synthetic-zoo';
import type { AdaMergingOptions } from '../types';
import {
  WORKGROUP,
  matMulInvocations,
  matMulShader,
  type Epilogue,
  type MatMulSpec,
} from './wgsl-linear';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await requireNodeGpu();
});
afterAll(async () => {
  await initTf('cpu');
});

const tiny = syntheticZoo({ tasks: 3, images: 32 });
// The demo zoo's real shapes (dim 48, 4 heads of 12, MLP 96, 17 tokens), few images.
const zooShaped = syntheticZoo({ tasks: 2, images: 8, config: { ...DEFAULT_VIT_CONFIG } });
// Wider configs the demo zoo may be rebuilt with: every kernel is generated per shape, so a
// width that only works by accident at 48 (head width 12, vec4 column groups) fails here.
const wider = syntheticZoo({
  tasks: 2,
  images: 8,
  config: { ...DEFAULT_VIT_CONFIG, dim: 64, heads: 4, mlpDim: 128, depth: 2 },
});
// Cosine-classifier heads (VitConfig.head 'cosine'): the feature's L2 normalisation and its
// gradient in the heads kernel.
const cosine = syntheticZoo({
  tasks: 2,
  images: 8,
  config: { ...DEFAULT_VIT_CONFIG, head: 'cosine', logitScale: 16 },
});
const widest = syntheticZoo({
  tasks: 2,
  images: 4,
  config: { ...DEFAULT_VIT_CONFIG, dim: 96, heads: 4, mlpDim: 192, depth: 6 },
});

async function both(zoo: typeof tiny, options: AdaMergingOptions) {
  await initTf('cpu');
  const cpu = await firstStepGradient(zoo, options);
  expect(await initTf('webgpu', { gpu })).toBe('webgpu');
  const fused = await firstStepGradient(zoo, options);
  return { cpu, fused };
}

/** float32 on both sides, different summation orders: 1e-4 of the largest |g|. */
const expectClose = (got: number[], want: number[], relative = 1e-4): void =>
  closeTo(got, want, relative);

describe('fused WebGPU step vs tfjs autodiff on cpu', () => {
  it('uses the fused engine on the webgpu backend (and tfjs when asked)', async () => {
    expect(await initTf('webgpu', { gpu })).toBe('webgpu');
    const auto = new AdaMergingSession(tiny, { mode: 'layer' });
    const plain = new AdaMergingSession(tiny, { mode: 'layer', engine: 'tfjs' });
    expect(auto.fused).not.toBeNull();
    expect(plain.fused).toBeNull();
    auto.dispose();
    plain.dispose();
  });

  for (const [name, zoo, batchSize] of [
    ['tiny ViT', tiny, 32],
    ['zoo-shaped ViT', zooShaped, 4],
    ['zoo-shaped ViT with cosine heads', cosine, 4],
    ['dim 64 / MLP 128 / depth 2 ViT', wider, 4],
    ['dim 96 / MLP 192 / depth 6 ViT', widest, 2],
  ] as const) {
    for (const mode of ['layer', 'task'] as const) {
      it(`${name}, ${mode}-wise: same losses and ∂loss/∂λ`, async () => {
        const { cpu, fused } = await both(zoo, { mode, batchSize, seed: 5 });
        expect(fused.shape).toEqual(cpu.shape);
        fused.lossPerTask.forEach((l, k) => expect(l).toBeCloseTo(cpu.lossPerTask[k]!, 5));
        expectClose(fused.gradient, cpu.gradient);
      });
    }
  }

  it('without the clamp, λ outside [0, 1] still gets its gradient; with it, none', async () => {
    const options = { mode: 'layer', batchSize: 32, seed: 1, init: 1.25 } as const;
    const free = await both(tiny, { ...options, clamp: false });
    expectClose(free.fused.gradient, free.cpu.gradient);
    const clamped = await both(tiny, options);
    // tf.clipByValue passes no gradient outside [0, 1]: every entry is exactly 0 on both sides.
    expect(clamped.cpu.gradient.every((g) => g === 0)).toBe(true);
    expect(clamped.fused.gradient.every((g) => g === 0)).toBe(true);
  });

  it('Adam steps follow tfjs: same λ and losses after 4 steps (AdaMerging++, task-wise)', async () => {
    const options = { mode: 'task', plus: true, batchSize: 8, seed: 2, lr: 0.05 } as const;
    const run = async (): Promise<{ losses: number[][]; lambdas: number[][] }> => {
      const s = new AdaMergingSession(tiny, options);
      const losses: number[][] = [];
      for (let i = 0; i < 4; i++) losses.push((await s.step()).lossPerTask);
      const lambdas = await s.lambdas(true);
      s.dispose();
      return { losses, lambdas };
    };
    await initTf('cpu');
    const want = await run();
    await initTf('webgpu', { gpu });
    const got = await run();
    // λ moved (lr 0.05 over 4 steps) and both sides moved it the same way.
    expect(Math.max(...want.lambdas.flat().map((x) => Math.abs(x - 0.3)))).toBeGreaterThan(0.05);
    got.lambdas.flat().forEach((x, i) => expect(x).toBeCloseTo(want.lambdas.flat()[i]!, 4));
    got.losses.flat().forEach((x, i) => expect(x).toBeCloseTo(want.losses.flat()[i]!, 4));
  });
});

describe('fused steps queued ahead (runAdaMerging keeps one step in flight)', () => {
  it('give the same events, evaluations and λ as steps awaited one by one', async () => {
    expect(await initTf('webgpu', { gpu })).toBe('webgpu');
    const options = { mode: 'layer', batchSize: 8, seed: 4, lr: 0.05, steps: 6 } as const;
    const awaited = new AdaMergingSession(tiny, options);
    const want: number[][] = [];
    const wantEval: number[] = [];
    for (let i = 1; i <= options.steps; i++) {
      want.push((await awaited.step()).lossPerTask);
      if (i % 3 === 0) wantEval.push((await awaited.evaluate()).average);
    }
    const wantLambdas = await awaited.lambdas(true);
    awaited.dispose();

    const got: number[][] = [];
    const gotEval: { step: number; average: number }[] = [];
    const { result } = await runAdaMerging(
      tiny,
      { ...options, evalEvery: 3 },
      {
        onStep: (e) => got.push(e.lossPerTask),
        onEval: (e) => gotEval.push({ step: e.step, average: e.average }),
      },
    );
    expect(result.engine).toBe('fused-webgpu');
    // Same kernels in the same order: identical numbers, not just close ones.
    expect(got).toEqual(want);
    expect(gotEval).toEqual([
      { step: 3, average: wantEval[0] },
      { step: 6, average: wantEval[1] },
    ]);
    expect(result.rawLambdas).toEqual(wantLambdas);
    // λ moved, so a step evaluated one step late would have shown.
    expect(new Set(got.map((l) => l[0])).size).toBe(options.steps);
  });
});

describe('fused matMul kernel vs a plain-JS product', () => {
  const rand = (n: number, seed: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 100 + i * 1.7) * 2);
  const gelu = (z: number): number => z / (1 + Math.exp(-1.702 * z));
  const geluGrad = (z: number): number => {
    const s = 1 / (1 + Math.exp(-1.702 * z));
    return s * (1 + 1.702 * z * (1 - s));
  };

  async function run(
    spec: MatMulSpec,
    a: Float32Array,
    b: Float32Array,
    c0: Float32Array,
    bias: Float32Array,
    aux: Float32Array,
  ) {
    const runtime = new GpuRuntime(gpu);
    const plan = new DispatchPlan(runtime, WORKGROUP);
    const sums = new Float32Array(spec.n * (spec.splitK ?? 1)).fill(NaN);
    const bufs = [
      a,
      b,
      c0,
      ...(spec.bias ? [bias] : []),
      ...(spec.epilogue.startsWith('gelu') ? [aux] : []),
      ...(spec.colSums ? [sums] : []),
    ].map((x, i) => plan.buffer(x.length, `in${i}`, x));
    plan.add(
      'p',
      'mm',
      matMulShader(spec),
      bufs.map((buffer) => ({ buffer })),
      matMulInvocations(spec),
    );
    await plan.compile();
    gpu.device.pushErrorScope('validation');
    const encoder = gpu.device.createCommandEncoder();
    plan.encode(encoder, ['p']);
    // The extra output (z of the GELU epilogue, or the column sums) is the last binding.
    const extra = spec.epilogue === 'gelu' ? aux.byteLength : spec.colSums ? sums.byteLength : 0;
    const read = plan.readBuffer(c0.byteLength + extra);
    encoder.copyBufferToBuffer(bufs[2]!, 0, read, 0, c0.byteLength);
    if (extra) encoder.copyBufferToBuffer(bufs.at(-1)!, 0, read, c0.byteLength, extra);
    gpu.device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    const error = await gpu.device.popErrorScope();
    expect(error?.message ?? null).toBeNull();
    runtime.dispose();
    return { c: out.subarray(0, c0.length), aux: out.subarray(c0.length) };
  }

  const cases: [string, Omit<MatMulSpec, 'bias' | 'epilogue'>, boolean, Epilogue][] = [
    [
      'A·B + bias, N % 8 = 0, M not a multiple of the row block',
      { m: 21, k: 7, n: 16, a: 'N', rows: 8 },
      true,
      'none',
    ],
    [
      'A·B, N % 8 ≠ 0 (one vec4 per invocation)',
      { m: 9, k: 5, n: 12, a: 'N', rows: 8 },
      false,
      'none',
    ],
    ['Aᵀ·B (weight gradient)', { m: 10, k: 33, n: 8, a: 'T', rows: 4 }, false, 'none'],
    [
      'Aᵀ·B split into 3 slices of K (partials summed here), with column sums',
      { m: 12, k: 20, n: 16, a: 'T', rows: 8, colSums: true, splitK: 3 },
      false,
      'none',
    ],
    [
      'A·B + bias, vec4 loads of A (K % 4 = 0), M not a multiple of 8',
      { m: 21, k: 12, n: 16, a: 'N', rows: 8 },
      true,
      'none',
    ],
    [
      'Aᵀ·B, vec4 loads of A (M % 4 = 0), 8-row block past M',
      { m: 12, k: 19, n: 16, a: 'T', rows: 8 },
      false,
      'none',
    ],
    ['Aᵀ·B, vec4 loads of A, 4-row block', { m: 8, k: 5, n: 12, a: 'T', rows: 4 }, false, 'none'],
    [
      'Aᵀ·B with the column sums of B (weight + bias gradient)',
      { m: 12, k: 19, n: 16, a: 'T', rows: 8, colSums: true },
      false,
      'none',
    ],
    [
      'Aᵀ·B with column sums, scalar loads of A (M % 4 ≠ 0)',
      { m: 7, k: 9, n: 8, a: 'T', rows: 8, colSums: true },
      false,
      'none',
    ],
    ['C += A·B + bias (residual)', { m: 12, k: 6, n: 8, a: 'N', rows: 8 }, true, 'accumulate'],
    ['QuickGELU, keeping z', { m: 12, k: 8, n: 8, a: 'N', rows: 8 }, true, 'gelu'],
    ['A·B · QuickGELU′(z)', { m: 12, k: 6, n: 8, a: 'N', rows: 8 }, false, 'geluGrad'],
    // The engine's default block: 16 rows × 4 column vec4s (16 × 16 outputs per invocation).
    [
      'A·B + bias, 16 × 16 block, vec4 loads of A, M and N past one block',
      { m: 37, k: 12, n: 48, a: 'N', rows: 16, columnGroups: 4 },
      true,
      'accumulate',
    ],
    [
      'Aᵀ·B, 16 × 12 block (3 column vec4s), split into 5 slices, with column sums',
      { m: 20, k: 41, n: 36, a: 'T', rows: 16, columnGroups: 3, colSums: true, splitK: 5 },
      false,
      'none',
    ],
  ];
  for (const [title, shape, hasBias, epilogue] of cases) {
    it(title, async () => {
      const spec: MatMulSpec = { ...shape, bias: hasBias, epilogue };
      const { m, k, n } = spec;
      const a = rand(m * k, 1);
      const b = rand(k * n, 2);
      const split = spec.splitK ?? 1;
      const c0 = rand(m * n * split, 3);
      const bias = rand(n, 4);
      const aux = rand(m * n, 5);
      const raw = await run(spec, a, b, c0, bias, aux);
      // Split-K writes one partial C and one partial column sum per slice: add them up.
      const fold = (x: Float32Array, size: number): Float32Array =>
        Float32Array.from({ length: size }, (_, i) => {
          let v = 0;
          for (let t = 0; t < split; t++) v += x[t * size + i]!;
          return v;
        });
      const got = split === 1 ? raw : { c: fold(raw.c, m * n), aux: fold(raw.aux, n) };
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let v = hasBias ? bias[j]! : 0;
          for (let t = 0; t < k; t++)
            v += (spec.a === 'N' ? a[i * k + t]! : a[t * m + i]!) * b[t * n + j]!;
          const at = i * n + j;
          const want =
            epilogue === 'accumulate'
              ? c0[at]! + v
              : epilogue === 'gelu'
                ? gelu(v)
                : epilogue === 'geluGrad'
                  ? v * geluGrad(aux[at]!)
                  : v;
          expect(got.c[at]).toBeCloseTo(want, 4);
          if (epilogue === 'gelu') expect(got.aux[at]).toBeCloseTo(v, 4);
        }
      }
      if (spec.colSums) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let t = 0; t < k; t++) sum += b[t * n + j]!;
          expect(got.aux[j]).toBeCloseTo(sum, 4);
        }
      }
    });
  }
});
