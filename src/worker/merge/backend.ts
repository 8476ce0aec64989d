/**
 * Picks the merge backend for this worker: the WebGPU kernels on the adapter src/gpu chose,
 * or the CPU reference when there is none or the page turned WebGPU off.
 */
import { browserGpu } from '../../gpu/browser-gpu';
import { createCpuBackend, type MergeBackend } from '../../merge';
import type { GpuPreference } from '../protocol';

let preference: GpuPreference = 'auto';

/** Set by the capabilities request, so merges follow what the banner told the user. */
export function setGpuPreference(value: GpuPreference): void {
  preference = value;
}

export const gpuPreference = (): GpuPreference => preference;

export async function chooseMergeBackend(): Promise<MergeBackend> {
  if (preference === 'auto') {
    const ctx = await browserGpu();
    if (ctx) {
      const { createWebGpuBackend } = await import('../../gpu/index');
      return createWebGpuBackend(ctx);
    }
  }
  return createCpuBackend();
}
