/**
 * `loadZoo(location)`: reads a built zoo — manifest, base and fine-tuned checkpoints, test sets —
 * from a URL prefix in the browser (`/zoo/`, public/ is served at the root) or from a folder in
 * Node (`public/zoo`). `location` may also name the manifest itself. Framework-free.
 */
import type { Params } from '../core';
import type { GrayImages } from '../data';
import { paramsFromBytes } from '../merge';
import { ZooFormatError } from './errors';
import { validateManifest, type ZooManifest } from './manifest';

export interface LoadedZoo {
  manifest: ZooManifest;
  /** Base checkpoint: encoder plus its pretraining head. */
  base: Params;
  /** Task name → fine-tuned checkpoint (encoder + heads.<task>.*). */
  checkpoints: Map<string, Params>;
  /** Task name → labelled test images. */
  testSets: Map<string, GrayImages>;
}

export interface LoadZooOptions {
  /** Only these tasks (default: all in the manifest). */
  tasks?: string[];
  /** Progress callback: one call per file read. */
  onFile?: (file: string, done: number, total: number) => void;
}

type ReadBytes = (relative: string) => Promise<Uint8Array>;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof window === 'undefined' && typeof p?.versions?.node === 'string';
}

function splitLocation(location: string): { dir: string; manifestFile: string } {
  if (location.endsWith('.json')) {
    const cut = location.lastIndexOf('/');
    return {
      dir: cut >= 0 ? location.slice(0, cut + 1) : './',
      manifestFile: location.slice(cut + 1),
    };
  }
  return { dir: location.endsWith('/') ? location : `${location}/`, manifestFile: 'manifest.json' };
}

function makeReader(dir: string): ReadBytes {
  if (isNode() && !/^https?:\/\//.test(dir)) {
    return async (relative) => {
      // Hidden from bundlers: this branch only runs in Node.
      const fsName = 'node:fs/promises';
      const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
      try {
        return new Uint8Array(await fs.readFile(dir + relative));
      } catch (e) {
        throw new ZooFormatError(dir + relative, `cannot read (${(e as Error).message})`);
      }
    };
  }
  return async (relative) => {
    const url = dir + relative;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (e) {
      throw new ZooFormatError(url, `cannot fetch (${(e as Error).message})`);
    }
    if (!response.ok) throw new ZooFormatError(url, `HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

/** Splits a test-set file (pixels then labels) and checks its size and labels. */
export function parseTestSet(
  bytes: Uint8Array,
  count: number,
  side: number,
  classes: number,
  file: string,
): GrayImages {
  const pixels = count * side * side;
  if (bytes.length !== pixels + count) {
    throw new ZooFormatError(
      file,
      `${bytes.length} bytes, expected ${pixels + count} for ${count} images of ${side}×${side}`,
    );
  }
  const labels = bytes.subarray(pixels);
  for (let i = 0; i < count; i++) {
    if ((labels[i] ?? 0) >= classes)
      throw new ZooFormatError(file, `label ${labels[i]} of image ${i} is ≥ ${classes} classes`);
  }
  return { count, side, pixels: bytes.subarray(0, pixels), labels };
}

export async function loadZoo(location: string, options: LoadZooOptions = {}): Promise<LoadedZoo> {
  const { dir, manifestFile } = splitLocation(location);
  const read = makeReader(dir);
  const manifestBytes = await read(manifestFile);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch {
    throw new ZooFormatError(dir + manifestFile, 'not valid JSON');
  }
  const manifest = validateManifest(json, dir + manifestFile);
  const wanted = options.tasks ?? manifest.tasks.map((t) => t.name);
  const tasks = wanted.map((name) => {
    const task = manifest.tasks.find((t) => t.name === name);
    if (!task) throw new ZooFormatError(dir + manifestFile, `no task "${name}"`);
    return task;
  });
  const total = 1 + 2 * tasks.length;
  let done = 0;
  const tick = (file: string): void => options.onFile?.(file, ++done, total);

  // Checkpoints are read by src/io (errors name the file and the tensor).
  const base = await paramsFromBytes(
    await read(manifest.base.checkpoint),
    dir + manifest.base.checkpoint,
  );
  tick(manifest.base.checkpoint);
  const checkpoints = new Map<string, Params>();
  const testSets = new Map<string, GrayImages>();
  for (const task of tasks) {
    const checkpoint = await paramsFromBytes(await read(task.checkpoint), dir + task.checkpoint);
    for (const head of task.headTensors) {
      if (!checkpoint.has(head))
        throw new ZooFormatError(dir + task.checkpoint, `head tensor "${head}" is missing`);
    }
    checkpoints.set(task.name, checkpoint);
    tick(task.checkpoint);
    const { file, count, side } = task.test;
    testSets.set(
      task.name,
      parseTestSet(await read(file), count, side, task.classNames.length, dir + file),
    );
    tick(file);
  }
  return { manifest, base, checkpoints, testSets };
}
