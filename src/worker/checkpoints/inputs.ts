/**
 * Turns what the user chose (files, handles, folder file lists) into load units: each unit is
 * one loose file or one folder, with every file as a named ByteSource. Only headers are read
 * later; here nothing is read at all.
 */
import { blobSource, fileHandleSource } from '../../io';
import type { ByteSource } from '../../io/types';
import type { CheckpointInput } from '../protocol';

export interface FolderFile {
  /** Path relative to the unit's folder ("model-00001-of-00002.safetensors", "sub/x.json"). */
  path: string;
  source: ByteSource;
}

export type LoadUnit =
  | { kind: 'file'; name: string; file: FolderFile }
  | { kind: 'folder'; name: string; files: FolderFile[] };

/** Folders are walked this deep: a zoo folder of model folders, each possibly with subfolders. */
const MAX_DEPTH = 3;

interface IterableDirectory extends FileSystemDirectoryHandle {
  values(): AsyncIterable<FileSystemHandle>;
}

async function walk(
  dir: FileSystemDirectoryHandle,
  prefix: string,
  depth: number,
): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  for await (const handle of (dir as IterableDirectory).values()) {
    const path = `${prefix}${handle.name}`;
    if (handle.kind === 'file') {
      const file = await (handle as FileSystemFileHandle).getFile();
      out.push({ path, source: blobSource(file, path) });
    } else if (depth < MAX_DEPTH) {
      out.push(...(await walk(handle as FileSystemDirectoryHandle, `${path}/`, depth + 1)));
    }
  }
  return out;
}

/** Names in errors carry the folder, so "bad.safetensors" in two folders stay distinguishable. */
function inFolder(folder: string, files: FolderFile[]): FolderFile[] {
  return files.map(({ path, source }) => ({
    path,
    source: { name: `${folder}/${path}`, size: source.size, read: (b, e) => source.read(b, e) },
  }));
}

export async function toLoadUnit(input: CheckpointInput): Promise<LoadUnit> {
  switch (input.kind) {
    case 'file':
      return {
        kind: 'file',
        name: input.file.name,
        file: { path: input.file.name, source: blobSource(input.file) },
      };
    case 'fileHandle': {
      const source = await fileHandleSource(input.handle);
      return { kind: 'file', name: input.handle.name, file: { path: input.handle.name, source } };
    }
    case 'directoryHandle': {
      const files = await walk(input.handle, '', 1);
      return { kind: 'folder', name: input.handle.name, files: inFolder(input.handle.name, files) };
    }
    case 'folderFiles': {
      const files = input.files.map(({ path, file }) => ({ path, source: blobSource(file, path) }));
      return { kind: 'folder', name: input.name, files: inFolder(input.name, files) };
    }
  }
}
