/**
 * The worker's tfjs device: WebGPU when the page allows it, else WebAssembly (then the plain
 * CPU). On a software adapter (lavapipe) tfjs's WebGPU backend is far slower than wasm, hence
 * `?tf=wasm` (the session's tfPreference).
 */
import { browserGpu } from '../../gpu/browser-gpu';
import { initTf, type TfDevice } from '../../tf';
import type { StudioSession } from '../session';
import { useBundledWasm } from './wasmFiles';

export async function setUpTfDevice(session: StudioSession): Promise<TfDevice> {
  const wantGpu = session.gpuPreference === 'auto' && session.tfPreference === 'auto';
  const gpu = wantGpu ? await browserGpu() : null;
  if (gpu) return initTf('webgpu', { gpu });
  useBundledWasm();
  return initTf('wasm');
}
