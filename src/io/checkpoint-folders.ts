/** Browser CheckpointFolder implementations (the Node one is in node/checkpoint-folder.ts). */
import type { CheckpointFolder } from './checkpoint';
import { SafetensorsError } from './errors';
import { blobSource, fileHandleSource } from './sources';

/** A folder chosen with showDirectoryPicker. */
export function directoryHandleFolder(dir: FileSystemDirectoryHandle): CheckpointFolder {
  return {
    name: dir.name,
    async list() {
      const names: string[] = [];
      // values() is standard but missing from TypeScript's DOM lib (needs DOM.AsyncIterable).
      const iterable = dir as unknown as { values(): AsyncIterable<FileSystemHandle> };
      for await (const handle of iterable.values()) {
        if (handle.kind === 'file') names.push(handle.name);
      }
      return names.sort();
    },
    async open(file) {
      return fileHandleSource(await dir.getFileHandle(file));
    },
  };
}

/**
 * The File[] of an `<input type="file" webkitdirectory>`: each File's webkitRelativePath is
 * "<folder>/<file>"; files in subfolders are ignored.
 */
export function fileListFolder(files: readonly File[]): CheckpointFolder {
  const top = new Map<string, File>();
  let folderName = 'files';
  for (const f of files) {
    const parts = (f.webkitRelativePath || f.name).split('/');
    if (parts.length > 2) continue;
    if (parts.length === 2) folderName = parts[0]!;
    top.set(parts[parts.length - 1]!, f);
  }
  return {
    name: folderName,
    list: async () => [...top.keys()].sort(),
    async open(file) {
      const f = top.get(file);
      if (!f) throw new SafetensorsError(folderName, undefined, `${file} is not in this folder`);
      return blobSource(f, `${folderName}/${file}`);
    },
  };
}
