/**
 * One place that chooses the tfjs backend. Devices are names with an ordered fallback list
 * (webgpu → wasm → cpu). The webgpu backend is registered on *our* device (picked by
 * src/gpu/adapter.ts) so tfjs and the merge kernels share one GPUDevice, and so tfjs never
 * crashes on a null adapter.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { GpuContext } from '../gpu';

export const TF_DEVICES = ['webgpu', 'wasm', 'cpu'] as const;
export type TfDevice = (typeof TF_DEVICES)[number];

export function parseTfDevice(name: string): TfDevice {
  if ((TF_DEVICES as readonly string[]).includes(name)) return name as TfDevice;
  throw new Error(`unknown device "${name}"; known devices: ${TF_DEVICES.join(', ')}`);
}

export interface TfSetupOptions {
  /** Needed for 'webgpu'. */
  gpu?: GpuContext | null;
  /** Folder or URL prefix holding tfjs-backend-wasm's .wasm files; needed for 'wasm'. */
  wasmPaths?: string;
}

async function registerWebGpu(gpu: GpuContext): Promise<void> {
  // In a browser, importing tfjs-backend-webgpu registers a 'webgpu' *factory* on the default
  // adapter (SwiftShader here). findBackend() only sees initialised backends, and
  // registerBackend() keeps an existing factory ("Reusing existing backend factory"), so the
  // factory itself must go, or tfjs silently runs on another device than ours.
  if ('webgpu' in tf.engine().registryFactory) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(gpu.device, gpu.adapter.info));
}

async function registerWasm(wasmPaths: string | undefined): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmPaths) wasm.setWasmPaths(wasmPaths);
}

/** Tries `preferred` then the devices after it; returns the one that runs. */
export async function initTf(preferred: TfDevice, options: TfSetupOptions = {}): Promise<TfDevice> {
  const order = TF_DEVICES.slice(TF_DEVICES.indexOf(preferred));
  for (const device of order) {
    try {
      if (device === 'webgpu') {
        if (!options.gpu) continue;
        await registerWebGpu(options.gpu);
      }
      if (device === 'wasm') await registerWasm(options.wasmPaths);
      if (await tf.setBackend(device)) {
        await tf.ready();
        return device;
      }
    } catch {
      // fall through to the next device
    }
  }
  throw new Error('no tfjs backend could be initialised');
}
