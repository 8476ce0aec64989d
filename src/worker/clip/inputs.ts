/**
 * What the user picked for the CLIP page, as the core reads it: a model folder (a directory
 * handle or a dropped / webkitdirectory file list) as a CheckpointFolder, and a task's data as
 * an ImageFolder (any folder) or an HF datasets Parquet file (a lone file).
 */
import { imageFolderTask, parquetTask, type TaskImages } from '../../eval';
import {
  blobSource,
  checkRelativePath,
  directoryHandleDataFolder,
  fileHandleSource,
  DataFolderError,
  type CheckpointFolder,
  type DataFolder,
} from '../../io';
import type { ByteSource } from '../../io/types';
import type { CheckpointInput } from '../protocol';
import { toLoadUnit } from '../checkpoints/inputs';
import { folderOf } from '../checkpoints/open';
import { clipError } from './state';

/** An HF model folder (config.json beside the weights); a lone file has no config. */
export async function modelFolderOf(input: CheckpointInput): Promise<CheckpointFolder> {
  const unit = await toLoadUnit(input);
  if (unit.kind !== 'folder') {
    throw clipError(
      'not-a-folder',
      `${unit.name}: a CLIP checkpoint is a Hugging Face folder (config.json beside the ` +
        'weights); pick or drop the folder, not a file',
      unit.name,
    );
  }
  return folderOf(unit.name, unit.files);
}

/** A dropped or webkitdirectory folder's files (paths relative to it) as a DataFolder. */
function filesDataFolder(name: string, files: { path: string; file: File }[]): DataFolder {
  const byPath = new Map<string, File>();
  for (const { path, file } of files) {
    if (path.split('/').some((p) => p.startsWith('.'))) continue; // .DS_Store, ._x.png
    byPath.set(path, file);
  }
  return {
    name,
    listRecursive: async () => [...byPath.keys()].sort(),
    async open(relPath) {
      checkRelativePath(name, relPath);
      const file = byPath.get(relPath);
      if (!file) throw new DataFolderError(name, relPath, 'not in this folder');
      return blobSource(file, `${name}/${relPath}`);
    },
  };
}

async function fileSource(input: CheckpointInput): Promise<ByteSource> {
  if (input.kind === 'file') return blobSource(input.file);
  if (input.kind === 'fileHandle') return fileHandleSource(input.handle);
  throw new Error('not a file');
}

/** A task's images from a folder (ImageFolder) or a `.parquet` file. */
export async function taskImagesOf(task: string, input: CheckpointInput): Promise<TaskImages> {
  if (input.kind === 'directoryHandle')
    return imageFolderTask(task, directoryHandleDataFolder(input.handle));
  if (input.kind === 'folderFiles')
    return imageFolderTask(task, filesDataFolder(input.name, input.files));
  const source = await fileSource(input);
  if (!source.name.toLowerCase().endsWith('.parquet')) {
    throw clipError(
      'bad-data',
      `${source.name}: task "${task}" needs an ImageFolder (one subfolder per class) or a ` +
        '.parquet file',
      source.name,
    );
  }
  return parquetTask(task, source);
}

/** A heads file (safetensors saved by `heads`) as bytes to read. */
export function headsSourceOf(input: CheckpointInput): Promise<ByteSource> {
  if (input.kind !== 'file' && input.kind !== 'fileHandle')
    throw clipError('bad-heads', 'a heads file is one .safetensors file, not a folder');
  return fileSource(input);
}
