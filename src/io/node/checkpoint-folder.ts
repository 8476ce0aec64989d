/** Node-only: checkpoints from paths on disk. */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  openCheckpointFolder,
  openCheckpointFromSources,
  type Checkpoint,
  type CheckpointFolder,
} from '../checkpoint';
import { INDEX_FILE_NAME } from '../sharded-writer';
import { nodeFileSource } from './file-source';

const within = (path: string, root: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};

/**
 * Where a folder's symlinks may lead. A Hugging Face hub cache snapshot
 * (`<cache>/models--org--name/snapshots/<revision>/`) holds links into `../../blobs/`: its root is
 * the `models--org--name` folder. Any other folder: the folder itself.
 */
export function symlinkRoot(realDir: string): string {
  const revision = dirname(realDir);
  if (basename(revision) === 'snapshots' && basename(dirname(revision)).startsWith('models--')) {
    return dirname(revision);
  }
  return realDir;
}

/**
 * A model folder on disk. Regular files are listed; a symlink only when its target is a
 * regular file inside the folder's symlink root (see symlinkRoot) — a link elsewhere is not
 * followed — and it is then read through its resolved path.
 */
export function nodeCheckpointFolder(dir: string): CheckpointFolder {
  let resolved: Promise<Map<string, string>> | undefined;
  const files = () => (resolved ??= listFiles(dir));
  return {
    name: basename(resolve(dir)),
    list: async () => [...(await files()).keys()].sort(),
    async open(file) {
      const path = (await files()).get(file);
      return nodeFileSource(path ?? join(dir, file), join(dir, file));
    },
  };
}

async function listFiles(dir: string): Promise<Map<string, string>> {
  const realDir = await realpath(dir);
  const root = symlinkRoot(realDir);
  const out = new Map<string, string>();
  for (const e of await readdir(realDir, { withFileTypes: true })) {
    const path = join(realDir, e.name);
    if (e.isFile()) out.set(e.name, path);
    else if (e.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      if (!target || !within(target, root)) continue;
      if ((await stat(target)).isFile()) out.set(e.name, target);
    }
  }
  return out;
}

/**
 * A model folder, a single .safetensors file, or a `model.safetensors.index.json` (its shards
 * are taken from the same directory).
 */
export async function openCheckpointPath(path: string): Promise<Checkpoint> {
  const info = await stat(path);
  if (info.isDirectory()) return openCheckpointFolder(nodeCheckpointFolder(path));
  if (basename(path) === INDEX_FILE_NAME) {
    return openCheckpointFolder(nodeCheckpointFolder(join(path, '..')));
  }
  return openCheckpointFromSources([await nodeFileSource(path)]);
}
