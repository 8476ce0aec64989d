/**
 * The scale bench's Chromium half, inside the page: three sharded Hugging Face folders given
 * as <input type=file> lists (disk-backed Blobs), merged with the studio's engine and written
 * as a sharded folder into the origin-private file system — streamed to disk (the driver runs
 * an on-disk profile, so OPFS files are files under it), never held whole in the tab.
 */
import {
  directoryHandleSinkFolder,
  fileListFolder,
  openCheckpointFolder,
  type Checkpoint,
} from '../../src/io';
import {
  createCpuBackend,
  executeMerge,
  parseRecipe,
  planMerge,
  type MergeBackend,
} from '../../src/merge';
import { browserGpu } from '../../src/gpu/browser-gpu';
import { createWebGpuBackend } from '../../src/gpu';

const OUT = 'llm-scale-out';

async function openFolders(keys: string[]): Promise<Map<string, Checkpoint>> {
  const map = new Map<string, Checkpoint>();
  for (const key of keys) {
    const input = document.getElementById(`folder-${key}`) as HTMLInputElement;
    map.set(key, await openCheckpointFolder(fileListFolder(Array.from(input.files ?? []))));
  }
  return map;
}

/** One <input type=file multiple> per model folder, for the driver's setInputFiles. */
export function addFolderInputs(keys: string[]): void {
  for (const key of keys) {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.id = `folder-${key}`;
    document.body.append(input);
  }
}

export async function llmMergeInPage(keys: string[], yaml: string, device: 'cpu' | 'webgpu') {
  const checkpoints = await openFolders(keys);
  let backend: MergeBackend = createCpuBackend();
  if (device === 'webgpu') {
    const gpu = await browserGpu();
    if (!gpu) throw new Error('no WebGPU adapter in the page');
    backend = createWebGpuBackend(gpu);
  }
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(OUT, { recursive: true }).catch(() => undefined);
  const dir = await root.getDirectoryHandle(OUT, { create: true });
  const plan = await planMerge(parseRecipe(yaml, 'llm-scale.yml').recipe, checkpoints);
  const start = performance.now();
  const summary = await executeMerge(plan, backend, directoryHandleSinkFolder(dir));
  const mergeSeconds = (performance.now() - start) / 1000;
  backend.dispose();
  return { mergeSeconds, bytesWritten: summary.bytesWritten };
}

/** The read baseline: every tensor of the three folders once (Blob reads), in this page. */
export async function llmReadInPage(keys: string[]) {
  const checkpoints = await openFolders(keys);
  let readBytes = 0;
  const start = performance.now();
  for (const cp of checkpoints.values()) {
    for (const name of cp.tensors.keys()) readBytes += (await cp.readRaw(name)).length;
  }
  return { readBytes, readSeconds: (performance.now() - start) / 1000 };
}

/** Removes the merged folder from OPFS (the bench keeps nothing). */
export async function llmCleanInPage(): Promise<void> {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(OUT, { recursive: true }).catch(() => undefined);
}
