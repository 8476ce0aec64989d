/**
 * Nested folders of data files (an ImageFolder test set, a CLIP model folder): the recursive
 * cousin of CheckpointFolder. Browser adapters live here; the Node one is node/data-folder.ts.
 */
import { blobSource, memorySource } from './sources';
import type { ByteSource } from './types';

export interface DataFolder {
  /** The folder's own name (for messages and as a default task name). */
  readonly name: string;
  /**
   * Every regular, non-hidden file below the folder as a relative POSIX path
   * ("cat/001.png"), sorted by code unit. Hidden means any path segment starting with ".".
   */
  listRecursive(): Promise<string[]>;
  /** Opens one file by a path listRecursive returned; anything else is refused. */
  open(relPath: string): Promise<ByteSource>;
}

export class DataFolderError extends Error {
  constructor(
    readonly folder: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${folder}/${path}: ${problem}`);
    this.name = 'DataFolderError';
  }
}

/** True when a path segment is hidden (".DS_Store", ".git", "._x.png"). */
export function isHiddenSegment(segment: string): boolean {
  return segment.startsWith('.');
}

/**
 * The segments of a safe relative path, or an error: no absolute paths, no "..", no empty
 * segments, no backslashes (a Windows separator would let "a\\..\\b" slip past), no hidden
 * segments.
 */
export function checkRelativePath(folder: string, relPath: string): string[] {
  const refuse = (problem: string) => new DataFolderError(folder, relPath, problem);
  if (relPath === '' || relPath.startsWith('/') || /^[A-Za-z]:/.test(relPath)) {
    throw refuse('not a relative path inside the folder');
  }
  if (relPath.includes('\\') || relPath.includes('\0')) {
    throw refuse('path has a backslash or NUL');
  }
  const parts = relPath.split('/');
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') throw refuse('path leaves or skips a folder level');
    if (isHiddenSegment(p)) throw refuse('hidden files are not read');
  }
  return parts;
}

type DirIterable = { values(): AsyncIterable<FileSystemHandle> };

/** A folder chosen with showDirectoryPicker, walked recursively. */
export function directoryHandleDataFolder(root: FileSystemDirectoryHandle): DataFolder {
  async function walk(dir: FileSystemDirectoryHandle, prefix: string, out: string[]) {
    // values() is standard but missing from TypeScript's DOM lib (needs DOM.AsyncIterable).
    for await (const handle of (dir as unknown as DirIterable).values()) {
      if (isHiddenSegment(handle.name)) continue;
      const path = prefix + handle.name;
      if (handle.kind === 'file') out.push(path);
      else await walk(handle as FileSystemDirectoryHandle, `${path}/`, out);
    }
  }
  return {
    name: root.name,
    async listRecursive() {
      const out: string[] = [];
      await walk(root, '', out);
      return out.sort();
    },
    async open(relPath) {
      const parts = checkRelativePath(root.name, relPath);
      let dir = root;
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p);
      const file = await (await dir.getFileHandle(parts[parts.length - 1]!)).getFile();
      return blobSource(file, `${root.name}/${relPath}`);
    },
  };
}

/**
 * The File[] of an `<input type="file" webkitdirectory>`: each File's webkitRelativePath is
 * "<folder>/<sub>/<file>"; the first segment names the folder and is dropped from the paths.
 */
export function fileListDataFolder(files: readonly File[]): DataFolder {
  const byPath = new Map<string, File>();
  let folderName = 'files';
  for (const f of files) {
    const parts = (f.webkitRelativePath || f.name).split('/');
    if (parts.length > 1) folderName = parts[0]!;
    const rel = parts.length > 1 ? parts.slice(1) : parts;
    if (rel.some(isHiddenSegment)) continue;
    byPath.set(rel.join('/'), f);
  }
  return {
    name: folderName,
    listRecursive: async () => [...byPath.keys()].sort(),
    async open(relPath) {
      checkRelativePath(folderName, relPath);
      const f = byPath.get(relPath);
      if (!f) throw new DataFolderError(folderName, relPath, 'not in this folder');
      return blobSource(f, `${folderName}/${relPath}`);
    },
  };
}

/** In-memory folder (tests, files unpacked from an archive). */
export function memoryDataFolder(
  name: string,
  files: Readonly<Record<string, Uint8Array>>,
): DataFolder {
  const paths = Object.keys(files).filter((p) => !p.split('/').some(isHiddenSegment));
  return {
    name,
    listRecursive: async () => [...paths].sort(),
    async open(relPath) {
      checkRelativePath(name, relPath);
      const bytes = Object.hasOwn(files, relPath) ? files[relPath] : undefined;
      if (!bytes) throw new DataFolderError(name, relPath, 'not in this folder');
      return memorySource(bytes, `${name}/${relPath}`);
    },
  };
}
