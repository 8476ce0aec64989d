/**
 * The merge benchmark inside Chromium: the pool's files come from an <input type=file> (set by
 * Playwright from disk, so reads are real disk-backed Blob reads), the output goes to a sink
 * that only counts bytes (what a FileSystemWritableFileStream would receive).
 */
import { blobSource, openCheckpointFromSources, type ByteSink } from '../../src/io';
import {
  createCpuBackend,
  executeMerge,
  parseRecipe,
  planMerge,
  type MergeBackend,
  type MergeCheckpoint,
} from '../../src/merge';
import { browserGpu } from '../../src/gpu/browser-gpu';
import { adapterLabel } from '../../src/gpu/adapter';
import { createWebGpuBackend } from '../../src/gpu';

function countingSink(name: string): ByteSink & { bytes: number } {
  return {
    name,
    bytes: 0,
    async write(chunk: Uint8Array) {
      this.bytes += chunk.length;
    },
    async close() {},
    async abort() {},
  };
}

async function openPool(): Promise<Map<string, MergeCheckpoint>> {
  const input = document.getElementById('pool') as HTMLInputElement;
  const map = new Map<string, MergeCheckpoint>();
  for (const file of Array.from(input.files ?? [])) {
    map.set(file.name, await openCheckpointFromSources([blobSource(file)]));
  }
  return map;
}

export async function benchMergeInPage(recipeYaml: string, device: 'cpu' | 'webgpu') {
  const checkpoints = await openPool();
  let backend: MergeBackend;
  let adapter = 'none';
  if (device === 'webgpu') {
    const gpu = await browserGpu();
    if (!gpu) throw new Error('no WebGPU adapter in the page');
    backend = createWebGpuBackend(gpu);
    adapter = adapterLabel(gpu.info);
  } else {
    backend = createCpuBackend();
  }
  const parsed = parseRecipe(recipeYaml, 'bench recipe');
  const plan = await planMerge(parsed.recipe, checkpoints);
  const sink = countingSink('bench-out.safetensors');
  const mergeStart = performance.now();
  await executeMerge(plan, backend, sink);
  const mergeSeconds = (performance.now() - mergeStart) / 1000;
  backend.dispose();
  return {
    adapter,
    passes: plan.passes,
    mergeSeconds,
    bytesWritten: sink.bytes,
  };
}

/**
 * The read baseline, in a separate call so the merge's memory is sampled without it: the time
 * to read every tensor of the pool once (Blob.slice of the same files), in this page.
 */
export async function benchReadInPage() {
  const checkpoints = await openPool();
  let readBytes = 0;
  const readStart = performance.now();
  for (const cp of checkpoints.values()) {
    for (const name of cp.tensors.keys()) readBytes += (await cp.readRaw(name)).length;
  }
  const readSeconds = (performance.now() - readStart) / 1000;
  return { readBytes, readSeconds };
}
