/**
 * WebGPU in Node through the `webgpu` package (Dawn). On these machines Dawn runs on Mesa's GLES
 * (surfaceless EGL) at the compatibility feature level — shared/BROWSER.md.
 */
import { acquireGpu, type GpuContext } from './adapter';

let pending: Promise<GpuContext | null> | undefined;

async function load(): Promise<GpuContext | null> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch {
    return null;
  }
  Object.assign(globalThis, mod.globals);
  const backend = process.env.MERGE_STUDIO_DAWN_BACKEND ?? 'opengles';
  const gpu = mod.create([`backend=${backend}`]);
  // tfjs-backend-webgpu refuses to start unless navigator.gpu exists (Node 20 has no navigator).
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator)
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  else if (!g.navigator.gpu)
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  return acquireGpu(gpu);
}

export function nodeGpu(): Promise<GpuContext | null> {
  pending ??= load().catch(() => null);
  return pending;
}
