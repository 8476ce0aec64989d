/**
 * One tensor larger than the 128 MiB storage-binding limit (2^25 + 3 f32 elements, two
 * models): the backend must split it into chunks (one binding each) and still equal the CPU
 * reference to the bit (linear merge: same f32 operations in the same order).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend, type LinearJob } from '../../merge';
import type { GpuContext } from '../adapter';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { gpuCase } from '../testing/gpu-case';
import { comparePlanes } from '../testing/compare';
import { createWebGpuBackend } from './webgpu-backend';
import { planChunkLength } from './packed-inputs';

let ctx: GpuContext;
let gpu: ReturnType<typeof createWebGpuBackend>;
beforeAll(async () => {
  ctx = await requireNodeGpu();
  gpu = createWebGpuBackend(ctx);
});
afterAll(() => gpu?.dispose());

describe('tensor larger than one storage binding', () => {
  it('chunks 2^25 + 3 f32 elements (> 128 MiB per model) and matches the CPU reference', async () => {
    const numel = 2 ** 25 + 3;
    const limit = ctx.device.limits.maxStorageBufferBindingSize;
    expect(numel * 4).toBeGreaterThan(Math.min(limit, 128 * 1024 * 1024));
    // The plan really splits it: two f32 inputs per chunk must fit one binding.
    expect(
      planChunkLength('w', numel, ['F32', 'F32'], limit, { otherBytesPerElement: [4] }),
    ).toBeLessThan(numel);

    const a = new Float32Array(numel);
    const b = new Float32Array(numel);
    for (let i = 0; i < numel; i++) {
      a[i] = ((i * 2654435761) % 1000003) / 1000003 - 0.5;
      b[i] = ((i * 40503) % 999983) / 999983 - 0.5;
    }
    const job: LinearJob = {
      kind: 'linear',
      tensorName: 'model.embed_tokens.weight',
      shape: [numel],
      numel,
      models: [
        { dtype: 'F32', bytes: new Uint8Array(a.buffer) },
        { dtype: 'F32', bytes: new Uint8Array(b.buffer) },
      ],
      weights: [0.3, 0.9],
      normalize: true,
    };
    const g = await gpuCase(ctx, () => gpu.mergeTensor(job));
    const c = await createCpuBackend().mergeTensor(job);
    const r = comparePlanes(g.merged, c.merged);
    expect(r.gross).toBe(0);
    expect(r.maxRelError).toBeLessThanOrEqual(1e-6);
    // The last elements (in the final chunk) are right too, not left at zero.
    expect(g.merged[numel - 1]).toBe(c.merged[numel - 1]);
    expect(c.merged[numel - 1]).not.toBe(0);
  });
});
