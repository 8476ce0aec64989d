/**
 * How fast Node's WebGPU adapter streams memory through a compute shader — the ceiling of
 * every merge kernel on it. The kernel has task arithmetic's shape and nothing else: per
 * element, one load from each of K inputs (base + K−1 models, packed in one storage buffer as
 * the merge kernels pack them), K−1 subtractions and adds, one store. Variants change only
 * how invocations are laid out (workgroup size, elements per invocation, vec4 or scalar), so
 * a ceiling that does not move with them is the adapter's, not the kernel's. Prints GB/s of
 * input + output bytes, best of 3 warm runs timed with queue.onSubmittedWorkDone().
 *
 * Usage: npx tsx bench/adapter-stream.ts [--inputs K] [--elements N]
 * (defaults 9 and 2^21 per input: 72 MiB of inputs, within the 128 MiB binding limit of the
 * compatibility adapter). MERGE_STUDIO_DAWN_BACKEND=vulkan with
 * VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json measures SwiftShader instead.
 */
import { nodeGpu } from '../src/gpu/node-gpu';
import { adapterLabel } from '../src/gpu/adapter';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const inputs = arg('inputs', 9);
const elements = arg('elements', 2 ** 21);
if (!(inputs >= 1) || !(elements >= 1024) || elements % 1024 !== 0) {
  console.error('usage: adapter-stream.ts [--inputs K ≥ 1] [--elements N, a multiple of 1024]');
  process.exit(2);
}

interface Layout {
  workgroup: number;
  /** Elements (or vec4s) each invocation handles, consecutive. */
  perInvocation: number;
  vec4: boolean;
}

const LAYOUTS: Layout[] = [
  { workgroup: 128, perInvocation: 1, vec4: true }, // ta_vec4.wgsl's layout
  { workgroup: 64, perInvocation: 1, vec4: true },
  { workgroup: 256, perInvocation: 1, vec4: true },
  { workgroup: 64, perInvocation: 16, vec4: true },
  { workgroup: 16, perInvocation: 64, vec4: true },
  { workgroup: 128, perInvocation: 1, vec4: false },
  { workgroup: 128, perInvocation: 4, vec4: false },
];

function shader(l: Layout): string {
  const type = l.vec4 ? 'vec4<f32>' : 'f32';
  const stride = elements / (l.vec4 ? 4 : 1); // Units of `type` per input.
  const sum = Array.from(
    { length: inputs - 1 },
    (_, k) => `s = s + (inp[${(k + 1) * stride}u + i] - b);`,
  ).join('\n    ');
  return `
@group(0) @binding(0) var<storage, read> inp: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@group(0) @binding(2) var<uniform> len: vec4<u32>;
@compute @workgroup_size(${l.workgroup})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * ${l.workgroup}u;
  for (var j = 0u; j < ${l.perInvocation}u; j = j + 1u) {
    let i = t * ${l.perInvocation}u + j;
    if (i >= len.x) { return; }
    let b = inp[i];
    var s = ${type}(0.0);
    ${sum}
    out[i] = b + 0.3 * s;
  }
}`;
}

const gpu = await nodeGpu();
if (!gpu) {
  console.error('no WebGPU adapter in Node');
  process.exit(3);
}
const { device } = gpu;
const input = device.createBuffer({
  size: inputs * elements * 4,
  usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
});
const output = device.createBuffer({ size: elements * 4, usage: GPUBufferUsage.STORAGE });
const data = new Float32Array(inputs * elements);
for (let i = 0; i < data.length; i++) data[i] = (i % 1000) * 1e-3;
device.queue.writeBuffer(input, 0, data);

const bytes = (inputs + 1) * elements * 4;
console.log(`adapter: ${adapterLabel(gpu.info)}`);
console.log(
  `${inputs} inputs × ${elements} f32 elements (${(bytes / 2 ** 20).toFixed(0)} MiB read + written)`,
);
console.log('| workgroup | per invocation | type | ms | GB/s |');
console.log('|---|---|---|---|---|');
for (const l of LAYOUTS) {
  const units = elements / (l.vec4 ? 4 : 1);
  const uniform = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(uniform, 0, new Uint32Array([units, 0, 0, 0]));
  const module = device.createShaderModule({ code: shader(l) });
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [input, output, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const groups = Math.ceil(units / l.perInvocation / l.workgroup);
  const x = Math.min(groups, 65535);
  const y = Math.ceil(groups / 65535);
  const times: number[] = [];
  for (let run = 0; run < 4; run++) {
    const start = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    times.push(performance.now() - start);
  }
  // The first run compiles and warms caches.
  const best = Math.min(...times.slice(1));
  console.log(
    `| ${l.workgroup} | ${l.perInvocation} | ${l.vec4 ? 'vec4' : 'f32'} | ${best.toFixed(1)} | ${(bytes / best / 1e6).toFixed(2)} |`,
  );
  uniform.destroy();
}
process.exit(0);
