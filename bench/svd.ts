/**
 * `npm run bench -- --only svd [--size 4096 | --shape 1024x3584] [--devices webgpu,cpu]
 * [--reference <file>] [--dump <file>]`: the exact SVD the SVD merges use (TSV-M, Iso-C,
 * Iso-CTS, CART at high rank) on one m × n f32 task-vector-like matrix (rank-16 part decaying
 * by 0.7, noise 1e-3 of it): the CPU's float64 Gram path (src/merge/cpu/svd.ts exactSvd) vs
 * WebGPU's (src/gpu/merge/exact-svd.ts) on Node's adapter, one run each in this process, with
 * the load average and the peak RSS over the process baseline (bound: 4 × the tensor + 256 MB).
 *
 * Accuracy of each run (issue #21: singular values and reconstructions ≤ 1e-4): U·S·Vᵀ against
 * the matrix, UᵀU and VᵀV against I, and with --reference the singular values against an
 * independent float64 SVD of the same matrix: `--dump a.f32` writes the matrix (raw f32, row
 * major), `scripts/reference/svd_bench_reference.py a.f32 m n s.f64` writes numpy's σ (raw
 * f64), then `--reference s.f64` reads them. Writes bench/results/svd*.{json,md}, docs/bench.md.
 */
import { loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { createWebGpuBackend, adapterLabel, gpuExactSvd } from '../src/gpu';
import { nodeGpu } from '../src/gpu/node-gpu';
import { exactSvd, gaussian, matmulNT, matmulTN, reconstruct, type Mat } from '../src/merge';
import type { Svd } from '../src/merge';
import { writeBenchSection } from './sections';

const argOf = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const size = Number(argOf('size') ?? 4096);
const [rows, cols] = (argOf('shape') ?? `${size}x${size}`).split('x').map(Number) as [
  number,
  number,
];
const devices = (argOf('devices') ?? 'webgpu,cpu').split(',');
const log = (line: string) => console.log(`[bench svd] ${line}`);

function taskLike(m: number, n: number): Mat<Float32Array> {
  const rank = 16;
  const u = gaussian(m, rank, 1);
  for (let j = 0; j < rank; j++) for (let i = 0; i < m; i++) u.data[i * rank + j]! *= 0.7 ** j;
  const low = matmulNT(u, gaussian(n, rank, 2));
  const noise = gaussian(m, n, 3);
  const data = new Float32Array(m * n);
  for (let i = 0; i < data.length; i++) data[i] = 0.01 * low.data[i]! + 1e-5 * noise.data[i]!;
  return { rows: m, cols: n, data };
}

/**
 * Runs `work`, sampling RSS every 100 ms: seconds and peak RSS growth (MiB). The CPU's SVD is
 * synchronous, so no sample runs during it: the process's high-water mark (maxRSS) counts too,
 * which is that run's own peak for the first run of the process.
 */
async function measure(work: () => Promise<Svd> | Svd) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const svd = await work();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  return { svd, seconds, peakMiB: (peak - before) / 2 ** 20, load };
}

const maxAbs = (v: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
};

/** max |xᵀx − I| over the columns of x with σ above the far side's cutoff (others are 0). */
function orthonormality(x: Mat, s: Float64Array): number {
  const g = matmulTN(x, x);
  const kept = s.filter((v) => v > 1e-10 * s[0]!).length;
  let worst = 0;
  for (let i = 0; i < kept; i++)
    for (let j = 0; j < kept; j++)
      worst = Math.max(worst, Math.abs(g.data[i * g.cols + j]! - (i === j ? 1 : 0)));
  return worst;
}

/** The run's accuracy: reconstruction (of max |a|), orthonormality, σ against the reference. */
function accuracy(a: Mat<Float32Array>, svd: Svd, reference?: Float64Array) {
  const back = reconstruct(svd);
  let rec = 0;
  for (let i = 0; i < a.data.length; i++) rec = Math.max(rec, Math.abs(back.data[i]! - a.data[i]!));
  const out = {
    reconstruction: rec / maxAbs(a.data),
    uOrthonormality: orthonormality(svd.u, svd.s),
    vOrthonormality: orthonormality(svd.v, svd.s),
    sigmaOfSigma1: undefined as number | undefined,
    /** Worst |Δσᵢ|/σᵢ over σᵢ ≥ 1e-3·σ₁ (the rank-16 part and the top of the noise). */
    sigmaRelativeTop: undefined as number | undefined,
  };
  if (reference) {
    let ofS1 = 0;
    let top = 0;
    for (let i = 0; i < svd.s.length; i++) {
      const d = Math.abs(svd.s[i]! - reference[i]!);
      ofS1 = Math.max(ofS1, d / reference[0]!);
      if (reference[i]! >= 1e-3 * reference[0]!) top = Math.max(top, d / reference[i]!);
    }
    out.sigmaOfSigma1 = ofS1;
    out.sigmaRelativeTop = top;
  }
  return out;
}

const a = taskLike(rows, cols);
const dump = argOf('dump');
if (dump) {
  writeFileSync(dump, a.data);
  log(`wrote ${rows} × ${cols} f32 to ${dump}`);
  process.exit(0);
}
const refPath = argOf('reference');
const reference = refPath ? new Float64Array(readFileSync(refPath).buffer.slice(0)) : undefined;
if (reference && reference.length !== Math.min(rows, cols))
  throw new Error(
    `${refPath}: ${reference.length} singular values, expected ${Math.min(rows, cols)}`,
  );
const tensorMiB = (4 * rows * cols) / 2 ** 20;
const ctx = await nodeGpu();
if (!ctx) throw new Error('no WebGPU adapter in Node');
log(`${rows} × ${cols} on ${adapterLabel(ctx.info)}; load ${loadavg()[0]!.toFixed(1)}`);

type Run = Awaited<ReturnType<typeof measure>> & { device: string };
const runs: Run[] = [];
for (const device of devices) {
  const run =
    device === 'webgpu'
      ? await (async () => {
          const gpu = createWebGpuBackend(ctx);
          try {
            return await measure(() => gpuExactSvd(gpu.runtime, a));
          } finally {
            gpu.dispose();
          }
        })()
      : await measure(() => exactSvd(a));
  log(`${device} ${run.seconds.toFixed(1)} s, peak +${run.peakMiB.toFixed(0)} MiB`);
  runs.push({ ...run, device });
}

const r = Math.min(rows, cols);
const flops = 2 * rows * cols * r;
const result = {
  rows,
  cols,
  measuredAt: new Date().toISOString(),
  adapter: adapterLabel(ctx.info),
  boundMiB: 4 * tensorMiB + 256,
  reference: refPath ? 'numpy float64 (scripts/reference/svd_bench_reference.py)' : null,
  runs: runs.map((m) => ({
    device: m.device,
    seconds: m.seconds,
    gflops: flops / m.seconds / 1e9,
    peakMiB: m.peakMiB,
    load: m.load,
    ...accuracy(a, m.svd, reference),
  })),
};
log(JSON.stringify(result.runs));
const square = rows === cols;
const id = square && rows === 4096 ? 'svd' : square ? `svd_${rows}` : `svd_${rows}x${cols}`;
writeFileSync(`bench/results/${id}.json`, JSON.stringify(result, null, 2) + '\n');
const e = (x: number | undefined) => (x === undefined ? '–' : x.toExponential(1));
const lines = [
  `Exact SVD (all ${r} triplets) of one ${rows} × ${cols} f32 matrix, Node, one run each; adapter ${result.adapter}. "GFLOP/s" counts one 2·m·n·r product. Memory bound 4 × tensor + 256 MB = ${result.boundMiB.toFixed(0)} MiB. Accuracy: U·S·Vᵀ vs the matrix (of its max), max |UᵀU − I| and |VᵀV − I|, and σ vs ${result.reference ?? 'no reference (run with --reference)'}: worst of σ₁, and worst relative over σᵢ ≥ 1e-3·σ₁.`,
  '',
  '| device | seconds | GFLOP/s | peak RSS growth (MiB) | load (1 min) | reconstruction | UᵀU − I | VᵀV − I | σ (of σ₁) | σ (relative, top) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...result.runs.map(
    (x) =>
      `| ${x.device} | ${x.seconds.toFixed(1)} | ${x.gflops.toPrecision(2)} | ${x.peakMiB.toFixed(0)} | ${x.load.toFixed(1)} | ${e(x.reconstruction)} | ${e(x.uOrthonormality)} | ${e(x.vOrthonormality)} | ${e(x.sigmaOfSigma1)} | ${e(x.sigmaRelativeTop)} |`,
  ),
  '',
  ...(runs.length === 2
    ? [
        `${runs[0]!.device} / ${runs[1]!.device} time: ${(runs[0]!.seconds / runs[1]!.seconds).toFixed(2)}.`,
      ]
    : []),
];
await writeBenchSection(id, `Exact SVD ${rows} × ${cols} (SVD merges)`, lines.join('\n'));
process.exit(0);
