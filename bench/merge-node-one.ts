/**
 * One merge-benchmark measurement in its own Node process, so the peak RSS belongs to this
 * method alone: read every input tensor once (the baseline), then run the merge to disk.
 * Prints one JSON line. Usage: tsx bench/merge-node-one.ts <poolDir> <caseId> <cpu|webgpu>
 * [--in-thread | --threads N]. The backends are the CLI's: on cpu the CPU reference in worker
 * threads (createCpuWorkerBackend, what `cli merge --device cpu` runs: one per core); --threads
 * sets their number, --in-thread runs it on the main thread instead (createCpuBackend), for
 * comparison.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { executeMerge, parseRecipe, planMerge, createCpuBackend } from '../src/merge';
import type { MergeBackend, MergeCheckpoint } from '../src/merge';
import { openCheckpointPath, nodeFileSink } from '../src/io/node';
import { createCpuWorkerBackend } from '../src/merge/node/cpu-worker-backend';
import { nodeGpu } from '../src/gpu/node-gpu';
import { adapterLabel } from '../src/gpu/adapter';
import { MERGE_CASES } from './merge-cases';
import { layerCount, layoutFromDir } from './pool-read';
import { cpuSince, processCpu, threadIds } from './thread-cpu';
import { cpus } from 'node:os';

const [poolDir, caseId, device] = process.argv.slice(2);
if (!poolDir || !caseId || (device !== 'cpu' && device !== 'webgpu')) {
  console.error('usage: merge-node-one.ts <poolDir> <caseId> <cpu|webgpu>');
  process.exit(2);
}
const mergeCase = MERGE_CASES.find((c) => c.id === caseId);
if (!mergeCase) throw new Error(`unknown case ${caseId}`);

const layout = layoutFromDir(poolDir);
const parsed = parseRecipe(mergeCase.yaml(layout.fineTunes, layerCount(layout)), 'bench recipe');
const keys = [parsed.recipe.baseModel, ...parsed.recipe.models.map((m) => m.model)].filter(
  (k): k is string => typeof k === 'string',
);
const checkpoints = new Map<string, MergeCheckpoint>();
for (const key of new Set(keys)) checkpoints.set(key, await openCheckpointPath(join(poolDir, key)));

let backend: MergeBackend;
let adapter = 'none';
// Threads made from here on (Dawn's, Mesa's) are the WebGPU stack's (bench/thread-cpu.ts);
// the checkpoints above were opened first, so libuv's I/O pool already exists.
let olderThreads: Set<string> | undefined;
if (device === 'webgpu') {
  olderThreads = threadIds(process.pid);
  const gpu = await nodeGpu();
  if (!gpu) {
    console.error('no WebGPU adapter in Node');
    process.exit(3);
  }
  const { createWebGpuBackend } = await import('../src/gpu');
  backend = createWebGpuBackend(gpu);
  adapter = adapterLabel(gpu.info);
} else {
  const t = process.argv.indexOf('--threads');
  const threads = t >= 0 ? Number(process.argv[t + 1]) : undefined;
  backend = process.argv.includes('--in-thread')
    ? createCpuBackend()
    : createCpuWorkerBackend(threads ? { threads } : {});
}

const plan = await planMerge(parsed.recipe, checkpoints);
const out = join(poolDir, `out-${caseId}-${device}.safetensors`);
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
const cpuBefore = processCpu(process.pid, olderThreads);
const mergeStart = performance.now();
const summary = await executeMerge(plan, backend, await nodeFileSink(out));
const mergeSeconds = (performance.now() - mergeStart) / 1000;
const cpu = { ...cpuSince(cpuBefore, processCpu(process.pid, olderThreads)), cores: cpus().length };
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
backend.dispose();
rmSync(out, { force: true });

// Baseline (after the merge, so its buffers do not count in the merge's peak RSS): the time to read exactly the bytes this merge reads once, in this runtime.
let readBytes = 0;
const readStart = performance.now();
for (const cp of checkpoints.values()) {
  for (const name of cp.tensors.keys()) readBytes += (await cp.readRaw(name)).length;
}
const readSeconds = (performance.now() - readStart) / 1000;

console.log(
  JSON.stringify({
    runtime: 'node',
    device,
    adapter,
    case: caseId,
    label: mergeCase.label,
    passes: plan.passes,
    readBytes,
    readSeconds,
    mergeSeconds,
    bytesWritten: summary.bytesWritten,
    peakRssBytes: peakRss,
    rssBeforeBytes: rssBefore,
    cpu,
  }),
);
process.exit(0);
