/** The non-FSA paths: `webkitGetAsEntry` trees and `<input webkitdirectory>` file lists. */
import type { CheckpointInput } from '../../../src/worker/protocol';

type FolderFile = { path: string; file: File };

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every file under a dropped folder, with paths relative to it (readEntries pages by 100). */
export async function readEntryTree(
  root: FileSystemDirectoryEntry,
  prefix = '',
): Promise<FolderFile[]> {
  const reader = root.createReader();
  const out: FolderFile[] = [];
  for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
    for (const entry of batch) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory) {
        out.push(...(await readEntryTree(entry as FileSystemDirectoryEntry, `${path}/`)));
      } else {
        out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
      }
    }
  }
  return out;
}

/**
 * A FileList from `<input type=file>` (loose files) or `<input webkitdirectory>` (one folder:
 * every file has a webkitRelativePath "folder/…").
 */
export function filesOfInputList(list: FileList | File[]): CheckpointInput[] {
  const files = Array.from(list);
  const inFolder = files.filter((file) => file.webkitRelativePath.includes('/'));
  const loose: CheckpointInput[] = files
    .filter((file) => !file.webkitRelativePath.includes('/'))
    .map((file) => ({ kind: 'file', file }));
  const folders = new Map<string, FolderFile[]>();
  for (const file of inFolder) {
    const [top = '', ...rest] = file.webkitRelativePath.split('/');
    const entries = folders.get(top) ?? [];
    entries.push({ path: rest.join('/'), file });
    folders.set(top, entries);
  }
  const grouped: CheckpointInput[] = [...folders].map(([name, entries]) => ({
    kind: 'folderFiles',
    name,
    files: entries,
  }));
  return [...loose, ...grouped];
}
