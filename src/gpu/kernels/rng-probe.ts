import { dispatchLinear } from '../runtime/dispatch';
import type { GpuRuntime } from '../runtime/runtime';

/** GPU-drawn element_uniform(key, first + i) for i < count (used to prove bit-equality). */
export async function gpuUniforms(
  rt: GpuRuntime,
  key: number,
  first: number,
  count: number,
): Promise<Float32Array> {
  const pipeline = rt.pipeline('rng_probe', ['random']);
  const params = rt.uniform(new Uint32Array([key >>> 0, first >>> 0, count, 0]));
  const out = rt.storage(count * 4, 'rng-out');
  const encoder = rt.device.createCommandEncoder({ label: 'rng-probe' });
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, rt.bindGroup(pipeline, { 0: params, 1: { buffer: out, size: count * 4 } }));
  dispatchLinear(rt.device, pass, count);
  pass.end();
  const bytes = await rt.read(out, 0, count * 4, encoder);
  await rt.release([params, out]);
  return new Float32Array(bytes);
}
