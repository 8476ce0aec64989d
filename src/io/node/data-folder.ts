/**
 * Node-only: a DataFolder on disk. It never opens anything outside the root the user gave:
 * relative paths with ".." or absolute paths are refused, and symlinks are followed only when
 * their real path stays inside the root's real path. Hidden entries and anything that is not a
 * regular file (sockets, devices, FIFOs) are skipped.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  checkRelativePath,
  DataFolderError,
  isHiddenSegment,
  type DataFolder,
} from '../data-folder';
import { nodeFileSource } from './file-source';

function isInside(rootReal: string, candidateReal: string): boolean {
  const rel = relative(rootReal, candidateReal);
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

export function nodeDataFolder(root: string): DataFolder {
  const name = basename(resolve(root));
  let rootRealPromise: Promise<string> | undefined;
  const rootReal = () => (rootRealPromise ??= realpath(root));

  /** The real path of a candidate if it is inside the root, else undefined. */
  async function realInside(path: string): Promise<string | undefined> {
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      return undefined; // dangling symlink
    }
    return isInside(await rootReal(), real) ? real : undefined;
  }

  async function walk(dirReal: string, prefix: string, seen: Set<string>, out: string[]) {
    if (seen.has(dirReal)) return; // a symlink loop inside the root
    seen.add(dirReal);
    const entries = await readdir(dirReal, { withFileTypes: true });
    for (const e of entries) {
      if (isHiddenSegment(e.name)) continue;
      const path = prefix + e.name;
      if (e.isFile()) out.push(path);
      else if (e.isDirectory()) await walk(join(dirReal, e.name), `${path}/`, seen, out);
      else if (e.isSymbolicLink()) {
        const real = await realInside(join(dirReal, e.name));
        if (real === undefined) continue;
        const info = await stat(real);
        if (info.isFile()) out.push(path);
        else if (info.isDirectory()) await walk(real, `${path}/`, seen, out);
      }
    }
  }

  return {
    name,
    async listRecursive() {
      const out: string[] = [];
      await walk(await rootReal(), '', new Set(), out);
      return out.sort();
    },
    async open(relPath) {
      const parts = checkRelativePath(name, relPath);
      const real = await realInside(join(await rootReal(), ...parts));
      if (real === undefined) {
        throw new DataFolderError(name, relPath, 'missing, or a link that leaves the folder');
      }
      if (!(await stat(real)).isFile()) {
        throw new DataFolderError(name, relPath, 'not a regular file');
      }
      return nodeFileSource(real);
    },
  };
}
