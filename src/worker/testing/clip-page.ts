/**
 * Node only: feeds folders on disk to the CLIP page's handlers as the page's fallback input
 * does (a folder's files with paths relative to it), and the tiny pool's tasks.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { CheckpointInput } from '../protocol';

export const CLIP_PAGE_TASKS = [
  { name: 'eurosat', classNames: ['forest', 'river', 'highway'], perClass: 3 },
  { name: 'shapes', classNames: ['circle', 'square'], perClass: 4 },
];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** A folder as `folderFiles` (what webkitdirectory and dropped entries give the worker). */
export async function folderInput(dir: string): Promise<CheckpointInput> {
  const files = [];
  for (const path of await filesUnder(dir)) {
    const rel = relative(dir, path).split('\\').join('/');
    files.push({ path: rel, file: new File([await readFile(path)], basename(path)) });
  }
  return { kind: 'folderFiles', name: basename(dir), files };
}
