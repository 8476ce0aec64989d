/**
 * The fused WGSL AdaMerging step for HF CLIP vision towers (adamerging/fused/clip-*.ts, on the
 * Node WebGPU device, Dawn) against the independent reference: CLIP AdaMerging's tfjs autodiff
 * on the cpu backend, same tiny pool, heads, seeded batch and λ. Per-task entropies and
 * ∂loss/∂λ (task- and layer-wise, quick_gelu and the erf GELU), and λ after a few Adam steps.
 * Fails (never skips) without an adapter.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '../testing/expect-close';
import type { GpuContext } from '../../gpu';
import { requireNodeGpu } from '../../gpu/testing/node-test-gpu';
import type { ClipActivation } from '../../models';
import type { AdaMergingOptions } from '../adamerging/types';
import { tinyClipAdaMerging } from '../testing/clip-adamerging';
import { ClipAdaMergingSession } from './session';

const TASKS = ['alpha', 'beta', 'gamma'];
const CLASSES = [4, 3, 5];

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await requireNodeGpu();
  await tf.setBackend('cpu');
});
afterAll(() => gpu.device.destroy?.());

const setup = (act: ClipActivation, plus = false) =>
  tinyClipAdaMerging(TASKS, { classes: CLASSES, act, plus });

/** Losses and ∂loss/∂λ of the first seeded batch: tfjs autodiff (cpu) and the fused step. */
async function both(act: ClipActivation, options: AdaMergingOptions) {
  const { host, pools } = setup(act, options.plus);
  const reference = new ClipAdaMergingSession(host, pools, { ...options, engine: 'tfjs' });
  const images = reference.nextImages();
  const { perTask, grad } = reference.gradientOf({ images, tensors: [images] });
  const want = { losses: Array.from(await perTask.data()), grad: Array.from(await grad.data()) };
  tf.dispose([images, perTask, grad]);
  reference.dispose();
  const session = new ClipAdaMergingSession(host, pools, options, gpu.device);
  expect(session.fused).not.toBeNull();
  const r = await session.fused!.gradient(session.nextBatch());
  session.dispose();
  return { want, got: { losses: Array.from(r.lossPerTask), grad: Array.from(r.grad) } };
}

/** float32 on both sides, different summation orders: 2e-4 of the largest |g|. */
const expectClose = (got: number[], want: number[], relative = 2e-4): void =>
  closeTo(got, want, relative);

describe('fused CLIP AdaMerging step (WebGPU) vs tfjs autodiff (cpu)', () => {
  it('runs fused only when asked for auto with a device and a supported config', () => {
    const { host, pools } = setup('quick_gelu');
    const plain = new ClipAdaMergingSession(
      host,
      pools,
      { mode: 'layer', engine: 'tfjs' },
      gpu.device,
    );
    expect(plain.fused).toBeNull();
    plain.dispose();
    const relu = setup('relu');
    const unsupported = new ClipAdaMergingSession(
      relu.host,
      relu.pools,
      { mode: 'layer' },
      gpu.device,
    );
    expect(unsupported.fused).toBeNull();
    unsupported.dispose();
  });

  for (const act of ['quick_gelu', 'gelu'] as const) {
    for (const mode of ['layer', 'task'] as const) {
      it(`${act}, ${mode}-wise: same per-task entropies and ∂loss/∂λ`, async () => {
        const { want, got } = await both(act, { mode, batchSize: 4, seed: 1 });
        got.losses.forEach((l, k) => expect(l).toBeCloseTo(want.losses[k]!, 5));
        expectClose(got.grad, want.grad);
      });
    }
  }

  it('AdaMerging++ (TIES-selected vectors), layer-wise, no clamp: same gradient', async () => {
    const { want, got } = await both('quick_gelu', {
      mode: 'layer',
      plus: true,
      clamp: false,
      init: 0.6,
      batchSize: 4,
      seed: 2,
    });
    expectClose(got.grad, want.grad);
  });

  /**
   * Adam normalises each gradient entry by its own size, so an entry whose gradient is near
   * float noise (a layer-wise λ of a tensor that barely matters) moves by a visibly different
   * amount on the two sides: layer-wise λ are compared to 2% of one step (lr), task-wise ones
   * (every gradient large) to 1e-4.
   */
  for (const [mode, digits] of [
    ['task', 4],
    ['layer', 2],
  ] as const) {
    it(`Adam steps agree: same losses and λ after 4 steps (${mode}-wise)`, async () => {
      const options = { mode, batchSize: 4, seed: 3, lr: 0.05 } as const;
      const { host, pools } = setup('quick_gelu');
      const run = async (device: GPUDevice | null) => {
        const s = new ClipAdaMergingSession(
          host,
          pools,
          { ...options, engine: device ? 'auto' : 'tfjs' },
          device,
        );
        expect(s.fused !== null).toBe(device !== null);
        const losses: number[][] = [];
        for (let i = 0; i < 4; i++) losses.push((await s.step()).lossPerTask);
        const lambdas = await s.lambdas(true);
        s.dispose();
        return { losses, lambdas };
      };
      const want = await run(null);
      const got = await run(gpu.device);
      const moved = want.lambdas.flat().map((x) => Math.abs(x - 0.3));
      expect(Math.max(...moved)).toBeGreaterThan(0.05);
      const tolerance = digits === 4 ? 1e-4 : 0.02 * options.lr;
      got.lambdas
        .flat()
        .forEach((x, i) => expect(Math.abs(x - want.lambdas.flat()[i]!)).toBeLessThan(tolerance));
      got.losses.flat().forEach((x, i) => expect(x).toBeCloseTo(want.losses.flat()[i]!, 4));
    });
  }
});
