/** DispatchPlan on the Node WebGPU device (Dawn): replay, pooled buffers, device loss. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../adapter';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { DispatchPlan } from './dispatch-plan';
import { GpuDeviceError } from './gpu-errors';
import { GpuRuntime } from './runtime';

const DOUBLE = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < 5u) { y[id.x] = 2.0 * x[id.x] + y[id.x]; }
}`;

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await requireNodeGpu();
});

async function read(plan: DispatchPlan, buffer: GPUBuffer, floats: number): Promise<number[]> {
  const staging = plan.readBuffer(floats * 4);
  const encoder = plan.device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, floats * 4);
  plan.device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = Array.from(new Float32Array(staging.getMappedRange().slice(0, floats * 4)));
  staging.unmap();
  return out;
}

describe('DispatchPlan', () => {
  it('replays its recorded dispatches; a reused pooled buffer starts at zero', async () => {
    const runtime = new GpuRuntime(gpu);
    const first = new DispatchPlan(runtime, 64);
    const x = first.buffer(5, 'x', Float32Array.from([1, 2, 3, 4, 5]));
    const y = first.buffer(5, 'y', Float32Array.from([9, 9, 9, 9, 9]));
    first.add('p', 'double', DOUBLE, [{ buffer: x }, { buffer: y }], 5);
    await first.compile();
    for (let step = 0; step < 2; step++) {
      const encoder = gpu.device.createCommandEncoder();
      first.encode(encoder, ['p']);
      gpu.device.queue.submit([encoder.finish()]);
    }
    expect(await read(first, y, 5)).toEqual([13, 17, 21, 25, 29]); // 9 + 2·(2x)
    await first.destroy(); // back to the pool
    const second = new DispatchPlan(runtime, 64);
    const again = second.buffer(5, 'y again');
    expect([x, y]).toContain(again); // the pool handed an old buffer out again
    expect(await read(second, again, 5)).toEqual([0, 0, 0, 0, 0]);
    runtime.dispose();
  });

  it('reports a lost device as a GpuDeviceError naming the loss', async () => {
    // A device of its own (a fresh adapter: an adapter gives one device), so the others live on.
    const adapter = await navigator.gpu.requestAdapter({
      featureLevel: gpu.info.featureLevel,
    } as GPURequestAdapterOptions);
    const device = await adapter!.requestDevice();
    const runtime = new GpuRuntime({ device });
    const plan = new DispatchPlan(runtime, 64, 'test engine');
    plan.buffer(4, 'x', new Float32Array(4));
    plan.check();
    device.destroy();
    await device.lost;
    expect(() => plan.check()).toThrow(GpuDeviceError);
    expect(() => plan.check()).toThrow(/device lost/);
    runtime.dispose();
  });
});
