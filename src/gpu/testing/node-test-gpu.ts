import type { GpuContext } from '../adapter';
import { adapterLabel } from '../adapter';
import { nodeGpu } from '../node-gpu';

/** The Node WebGPU device for specs; throws (so the spec FAILS, never skips) without one. */
export async function requireNodeGpu(): Promise<GpuContext> {
  const ctx = await nodeGpu();
  if (!ctx) throw new Error('No WebGPU adapter in Node (webgpu/Dawn on Mesa GLES expected)');
  console.log(`GPU specs run on ${adapterLabel(ctx.info)}`);
  return ctx;
}
