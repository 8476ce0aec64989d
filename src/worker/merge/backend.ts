/**
 * Picks the merge backend for this worker: the WebGPU kernels on the adapter src/gpu chose,
 * or the CPU reference when there is none or the page turned WebGPU off (the session's
 * gpuPreference, set by the capabilities request).
 */
import { browserGpu } from '../../gpu/browser-gpu';
import { createCpuBackend, type MergeBackend } from '../../merge';
import type { StudioSession } from '../session';

export async function chooseMergeBackend(session: StudioSession): Promise<MergeBackend> {
  if (session.gpuPreference === 'auto') {
    const ctx = await browserGpu();
    if (ctx) {
      const { createWebGpuBackend } = await import('../../gpu/index');
      return createWebGpuBackend(ctx);
    }
  }
  return createCpuBackend();
}
