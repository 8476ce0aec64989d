/**
 * The tfjs backend of a browser entry (the in-page checks and benches that e2e specs and bench/
 * call through callInPage): WebGPU on the adapter src/gpu picks, or wasm / cpu.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { adapterLabel } from '../../gpu';
import { browserGpu } from '../../gpu/browser-gpu';
import { initTf, type TfDevice } from '../backend';

/** Served by the Vite dev server straight from node_modules. */
export const WASM_PATHS = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

export interface InPageBackend {
  backend: string;
  adapter: string;
  /** tfjs's webgpu backend runs on the page's picked GPUDevice. */
  onOurDevice: boolean;
}

export async function useBackend(device: TfDevice): Promise<InPageBackend> {
  const gpu = device === 'webgpu' ? await browserGpu() : null;
  if (device === 'webgpu' && !gpu) throw new Error('no WebGPU adapter in this page');
  const backend = await initTf(device, { gpu, wasmPaths: WASM_PATHS });
  if (backend !== device) throw new Error(`tfjs ${device} backend did not start (got ${backend})`);
  // tfjs must run on the adapter we picked (lavapipe), not on its own default (SwiftShader).
  const onOurDevice = gpu !== null && (tf.backend() as WebGPUBackend).device === gpu.device;
  return { backend, adapter: gpu ? adapterLabel(gpu.info) : backend, onOurDevice };
}
