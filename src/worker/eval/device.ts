/**
 * The worker's tfjs device, chosen by measurement (backend-probe.ts), not by a fixed rule: on a
 * software adapter (lavapipe) tfjs's WebGPU kernels are far slower than wasm, on a real GPU
 * they can be faster. The choice, in order: no WebGPU (or `?gpu=off`) → wasm; a URL flag
 * (`?tf=wasm|webgpu`, for tests) → that; the page's remembered choice for this adapter → that;
 * else a timed forward pass on each candidate → the fastest (the page then remembers it).
 */
import * as tf from '@tensorflow/tfjs';
import { browserGpu } from '../../gpu/browser-gpu';
import { initTf, type TfDevice } from '../../tf';
import type { TfChoice } from '../protocol';
import type { StudioSession } from '../session';
import { fastest, timeForwardPass } from './backend-probe';
import { useBundledWasm } from './wasmFiles';

/** Measured in this order; on a tie the first wins (wasm leaves the GPU queue to merges). */
const CANDIDATES: TfDevice[] = ['wasm', 'webgpu'];

export async function setUpTfDevice(session: StudioSession): Promise<TfDevice> {
  const gpu = session.gpuPreference === 'auto' ? await browserGpu() : null;
  useBundledWasm();
  session.tfChoice = await chooseTfDevice(session, gpu);
  return session.tfChoice.device;
}

async function chooseTfDevice(
  session: StudioSession,
  gpu: Awaited<ReturnType<typeof browserGpu>>,
): Promise<TfChoice> {
  if (!gpu) return { device: await initTf('wasm'), how: 'only' };
  const { tfPreference, rememberedTf } = session;
  if (tfPreference !== 'auto') return { device: await initTf(tfPreference, { gpu }), how: 'url' };
  if (rememberedTf && CANDIDATES.includes(rememberedTf.device)) {
    const device = await initTf(rememberedTf.device, { gpu });
    return { device, how: 'remembered', probeMs: rememberedTf.probeMs };
  }
  const probeMs: Partial<Record<TfDevice, number>> = {};
  for (const candidate of CANDIDATES) {
    // initTf falls back to the next device when one fails: time only what was asked for.
    if ((await initTf(candidate, { gpu })) === candidate)
      probeMs[candidate] = await timeForwardPass();
  }
  const device = fastest(probeMs, CANDIDATES);
  // Both backends are registered now: switching is cheap and keeps the probe's pipelines.
  await tf.setBackend(device);
  await tf.ready();
  return { device, how: 'measured', probeMs };
}
