import { describeBrowserGpu } from '../gpu';
import type { CapabilityReport, ComputeDevice, GpuPreference } from './protocol';

/**
 * What this worker can run on: the WebGPU adapter src/gpu picks, or the wasm/CPU fallback.
 * The page says `unavailable` when it has no `navigator.gpu` itself and `off` when the user
 * forced the CPU path (`?gpu=off`), so the banner and the worker always agree.
 */
export async function reportCapabilities(gpu: GpuPreference): Promise<CapabilityReport> {
  const hasApi = gpu !== 'unavailable' && typeof navigator !== 'undefined' && !!navigator.gpu;
  const adapter = gpu === 'auto' && hasApi ? await describeBrowserGpu() : null;
  const fallback: ComputeDevice = typeof WebAssembly === 'object' ? 'wasm' : 'cpu';
  const report: CapabilityReport = {
    adapter,
    device: adapter ? 'webgpu' : fallback,
    crossOriginIsolated: Boolean(globalThis.crossOriginIsolated),
    hardwareConcurrency: globalThis.navigator?.hardwareConcurrency ?? 1,
  };
  if (!adapter) {
    report.noGpuReason = gpu === 'off' ? 'disabled' : hasApi ? 'no-adapter' : 'no-webgpu-api';
  }
  return report;
}
