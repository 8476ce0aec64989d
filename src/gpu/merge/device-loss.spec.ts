/**
 * A lost device must fail the next job with a clear GpuDeviceError, never return numbers.
 * Uses its own device (from a fresh compatibility adapter) so the shared one stays alive.
 */
import { describe, expect, it } from 'vitest';
import { acquireGpu } from '../adapter';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { makeJob } from '../testing/random-jobs';
import { GpuDeviceError } from '../runtime/gpu-errors';
import { createWebGpuBackend } from './webgpu-backend';

describe('device loss', () => {
  it('fails the next job with GpuDeviceError after the device is destroyed', async () => {
    await requireNodeGpu(); // installs navigator.gpu in Node
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    const own = await acquireGpu(gpu);
    if (!own) throw new Error('no second WebGPU device');
    const backend = createWebGpuBackend(own);
    const job = makeJob({ kind: 'linear', numel: 1000, models: 2, seed: 3, dtypes: ['F32'] });
    const before = await backend.mergeTensor(job);
    expect(before.merged.length).toBe(1000);
    own.device.destroy();
    await own.device.lost;
    await expect(backend.mergeTensor(job)).rejects.toBeInstanceOf(GpuDeviceError);
    backend.dispose();
  });
});
