/** Node-only: checkpoints from paths on disk. */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  openCheckpointFolder,
  openCheckpointFromSources,
  type Checkpoint,
  type CheckpointFolder,
} from '../checkpoint';
import { INDEX_FILE_NAME } from '../sharded-writer';
import { nodeFileSource } from './file-source';

export function nodeCheckpointFolder(dir: string): CheckpointFolder {
  return {
    name: basename(resolve(dir)),
    async list() {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort();
    },
    open: (file) => nodeFileSource(join(dir, file)),
  };
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
