/**
 * Browser entries (called by e2e/adamerging.e2e.ts and bench/adamerging.ts through
 * callInPage): a short AdaMerging on WebGPU inside the page, the first-step gradient on WebGPU
 * and on tfjs's cpu backend, and per-step timing on each backend. Only numbers come back.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_VIT_CONFIG, type VitConfig } from '../../models';
import type { TfDevice } from '../../tf';
import { useBackend } from '../../tf/testing/in-page-backend';
import { firstStepGradient } from './gradient';
import { runAdaMerging } from './run';
import { AdaMergingSession } from './session';
import { syntheticZoo, SYNTHETIC_CONFIG } from '../../zoo/testing/synthetic-zoo';
import { measureSteps, type StepMeasurement } from './measure';
import { loadZoo } from '../../zoo';

export interface InPageAdaMergingReport {
  backend: string;
  /** tfjs's webgpu backend runs on the page's picked GPUDevice. */
  onOurDevice: boolean;
  engine: string;
  adapter: string;
  entropies: number[];
  /** Largest |λ − 0.3| after the run. */
  lambdaMove: number;
  lambdasInRange: boolean;
  gradient: { webgpu: number[]; cpu: number[]; lossWebgpu: number[]; lossCpu: number[] };
  /** The same comparison on the demo zoo's ViT shapes (dim 48, 4 heads, 17 tokens), 2 × 4 images. */
  zooShaped: { webgpu: number[]; cpu: number[]; lossWebgpu: number[]; lossCpu: number[] };
}

/** A few layer-wise steps on WebGPU (tiny synthetic zoo, full batch), then the gradient check. */
export async function adamergingInPage(steps = 8): Promise<InPageAdaMergingReport> {
  const { backend, adapter, onOurDevice } = await useBackend('webgpu');
  const zoo = syntheticZoo({ tasks: 3, images: 32 });
  const full = { mode: 'layer', batchSize: 32, seed: 3 } as const;
  const entropies: number[] = [];
  const { result } = await runAdaMerging(
    zoo,
    { ...full, lr: 0.05, steps },
    { onStep: (e) => entropies.push(e.entropyTotal) },
  );
  const flat = result.lambdas.flat();
  const onGpu = await firstStepGradient(zoo, full);
  const shaped = syntheticZoo({ tasks: 2, images: 8, config: { ...DEFAULT_VIT_CONFIG } });
  const shapedOptions = { mode: 'layer', batchSize: 4, seed: 5 } as const;
  const shapedGpu = await firstStepGradient(shaped, shapedOptions);
  await useBackend('cpu');
  const onCpu = await firstStepGradient(zoo, full);
  const shapedCpu = await firstStepGradient(shaped, shapedOptions);
  return {
    backend,
    onOurDevice,
    engine: result.engine,
    adapter,
    entropies,
    lambdaMove: Math.max(...flat.map((x) => Math.abs(x - 0.3))),
    lambdasInRange: flat.every((x) => x >= 0 && x <= 1),
    gradient: {
      webgpu: onGpu.gradient,
      cpu: onCpu.gradient,
      lossWebgpu: onGpu.lossPerTask,
      lossCpu: onCpu.lossPerTask,
    },
    zooShaped: {
      webgpu: shapedGpu.gradient,
      cpu: shapedCpu.gradient,
      lossWebgpu: shapedGpu.lossPerTask,
      lossCpu: shapedCpu.lossPerTask,
    },
  };
}

/**
 * ms per layer-wise step on one backend in the page, 8 tasks × 16 images on the zoo's ViT
 * (`zooConfig`, the committed zoo's; synthetic weights: the cost does not depend on them).
 */
export async function measureInPage(
  device: TfDevice,
  steps = 10,
  size: 'zoo' | 'tiny' = 'zoo',
  matmulProgram = -1,
  engine: 'auto' | 'tfjs' = 'auto',
  zooConfig: VitConfig = DEFAULT_VIT_CONFIG,
): Promise<StepMeasurement & { adapter: string; crossOriginIsolated: boolean }> {
  const { adapter } = await useBackend(device);
  // tfjs-backend-webgpu's MatMulProgramType (-1: its own choice per shape); see docs/bench.md.
  tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', matmulProgram);
  const config = size === 'zoo' ? { ...zooConfig } : SYNTHETIC_CONFIG;
  const zoo = syntheticZoo({ tasks: 8, images: 64, config });
  const m = await measureSteps(zoo, { mode: 'layer', engine }, steps);
  tf.disposeVariables();
  return { ...m, adapter, crossOriginIsolated: globalThis.crossOriginIsolated === true };
}

/**
 * Wall-clock seconds of a whole layer-wise run (8 tasks × 16 images) on the committed demo zoo
 * (public/zoo, served at /zoo/), as the studio runs it: zoo loading timed apart, then session
 * set-up (uploads, shader compilation), every step and the final λ / merged weights.
 */
export async function totalRunInPage(
  device: TfDevice,
  steps: number,
): Promise<{
  backend: string;
  engine: string;
  steps: number;
  seconds: number;
  msPerStep: number;
  loadSeconds: number;
  config: string;
}> {
  await useBackend(device);
  const loading = performance.now();
  const zoo = await loadZoo('/zoo/');
  const loadSeconds = (performance.now() - loading) / 1000;
  const started = performance.now();
  const { result } = await runAdaMerging(zoo, { mode: 'layer', steps });
  const seconds = (performance.now() - started) / 1000;
  const c = zoo.manifest.model.config;
  return {
    backend: result.backend,
    engine: result.engine,
    steps,
    seconds,
    msPerStep: (1000 * seconds) / steps,
    loadSeconds,
    config: `dim ${c.dim}, depth ${c.depth}, heads ${c.heads}, MLP ${c.mlpDim}, patch ${c.patchSize}`,
  };
}

/** Per-kernel ms of the fused WebGPU step in the page (zoo-sized ViT, 8 tasks × 16 images). */
export async function fusedKernelTimesInPage(
  zooConfig: VitConfig = DEFAULT_VIT_CONFIG,
): Promise<{ kernel: string; ms: number }[]> {
  await useBackend('webgpu');
  const zoo = syntheticZoo({ tasks: 8, images: 64, config: { ...zooConfig } });
  const session = new AdaMergingSession(zoo, { mode: 'layer' });
  try {
    if (!session.fused) throw new Error('the fused engine did not start');
    await session.step();
    return await session.fused.kernelTimes();
  } finally {
    session.dispose();
  }
}
