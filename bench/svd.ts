/**
 * `npm run bench -- --only svd [--size 4096]`: throughput of the exact SVD the SVD merges use
 * (TSV-M, Iso-C, Iso-CTS, CART at high rank) on one size × size f32 task-vector-like matrix
 * (rank-16 part decaying by 0.7, noise 1e-3 of it): the CPU's float64 Gram path
 * (src/merge/cpu/svd.ts exactSvd) vs WebGPU's (src/gpu/merge/exact-svd.ts) on Node's
 * adapter, one run each in this process, with the load average, the largest σ difference
 * and the peak RSS over the process baseline (bound: 4 × the tensor + 256 MB).
 * Writes bench/results/svd.{json,md} and docs/bench.md.
 */
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { createWebGpuBackend, adapterLabel, gpuExactSvd } from '../src/gpu';
import { nodeGpu } from '../src/gpu/node-gpu';
import { exactSvd, gaussian, matmulNT, type Svd } from '../src/merge';
import { writeBenchSection } from './sections';

const argOf = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const size = Number(argOf('size') ?? 4096);
const log = (line: string) => console.log(`[bench svd] ${line}`);

function taskLike(n: number) {
  const rank = 16;
  const u = gaussian(n, rank, 1);
  for (let j = 0; j < rank; j++) for (let i = 0; i < n; i++) u.data[i * rank + j]! *= 0.7 ** j;
  const low = matmulNT(u, gaussian(n, rank, 2));
  const noise = gaussian(n, n, 3);
  const data = new Float32Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = 0.01 * low.data[i]! + 1e-5 * noise.data[i]!;
  return { rows: n, cols: n, data };
}

/** Runs `work`, sampling RSS every 100 ms: seconds and peak RSS growth (MiB). */
async function measure(work: () => Promise<Svd> | Svd) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const svd = await work();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { svd, seconds, peakMiB: (peak - before) / 2 ** 20, load };
}

const a = taskLike(size);
const tensorMiB = (4 * size * size) / 2 ** 20;
const ctx = await nodeGpu();
if (!ctx) throw new Error('no WebGPU adapter in Node');
const gpu = createWebGpuBackend(ctx);
log(`${size} × ${size} on ${adapterLabel(ctx.info)}; load ${loadavg()[0]!.toFixed(1)}`);
const onGpu = await measure(() => gpuExactSvd(gpu.runtime, a));
log(`webgpu ${onGpu.seconds.toFixed(1)} s, peak +${onGpu.peakMiB.toFixed(0)} MiB`);
gpu.dispose();
const cpu = await measure(() => exactSvd(a));
log(`cpu ${cpu.seconds.toFixed(1)} s, peak +${cpu.peakMiB.toFixed(0)} MiB`);
let sErr = 0;
for (let i = 0; i < cpu.svd.s.length; i++)
  sErr = Math.max(sErr, Math.abs(onGpu.svd.s[i]! - cpu.svd.s[i]!));
sErr /= cpu.svd.s[0]!;
const row = (name: string, m: typeof cpu) => ({
  device: name,
  seconds: m.seconds,
  gflops: (2 * size ** 3) / m.seconds / 1e9,
  peakMiB: m.peakMiB,
  load: m.load,
});
const result = {
  size,
  measuredAt: new Date().toISOString(),
  adapter: adapterLabel(ctx.info),
  boundMiB: 4 * tensorMiB + 256,
  sigmaMaxRelativeDifference: sErr,
  rows: [row('webgpu', onGpu), row('cpu', cpu)],
};
const id = size === 4096 ? 'svd' : `svd_${size}`;
writeFileSync(`bench/results/${id}.json`, JSON.stringify(result, null, 2) + '\n');
const lines = [
  `Exact SVD (all ${size} triplets) of one ${size} × ${size} f32 matrix, Node, one run each; adapter ${result.adapter}. "GFLOP/s" counts one 2·n³ product. σ WebGPU vs CPU: ${sErr.toExponential(1)} of σ₁. Memory bound 4 × tensor + 256 MB = ${result.boundMiB.toFixed(0)} MiB.`,
  '',
  '| device | seconds | GFLOP/s (2n³) | peak RSS growth (MiB) | load (1 min) |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...result.rows.map(
    (r) =>
      `| ${r.device} | ${r.seconds.toFixed(1)} | ${r.gflops.toPrecision(2)} | ${r.peakMiB.toFixed(0)} | ${r.load.toFixed(1)} |`,
  ),
  '',
  `WebGPU / CPU time: ${(onGpu.seconds / cpu.seconds).toFixed(2)}.`,
];
await writeBenchSection(id, `Exact SVD ${size} × ${size} (SVD merges)`, lines.join('\n'));
process.exit(0);
