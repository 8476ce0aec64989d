/**
 * Turns a drop into checkpoint inputs. The DataTransfer empties as soon as the drop handler
 * returns, so `collectDrop` grabs everything it may need from every item *synchronously*
 * (handle promise, entry, File) and only then awaits.
 */
import type { CheckpointInput } from '../../../src/worker/protocol';
import { filesOfInputList, readEntryTree } from './readEntries';

interface ItemWithHandle extends DataTransferItem {
  getAsFileSystemHandle?(): Promise<FileSystemHandle | null>;
}

interface Grabbed {
  handle: Promise<FileSystemHandle | null> | null;
  entry: FileSystemEntry | null;
  file: File | null;
}

function grab(item: ItemWithHandle): Grabbed {
  let handle: Promise<FileSystemHandle | null> | null = null;
  try {
    handle = item.getAsFileSystemHandle?.() ?? null;
  } catch {
    handle = null; // synthetic items (tests, some extensions) may refuse
  }
  return { handle, entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() };
}

async function toInput(grabbed: Grabbed): Promise<CheckpointInput | null> {
  const handle = await grabbed.handle?.catch(() => null);
  if (handle?.kind === 'directory') {
    return { kind: 'directoryHandle', handle: handle as FileSystemDirectoryHandle };
  }
  if (handle?.kind === 'file')
    return { kind: 'fileHandle', handle: handle as FileSystemFileHandle };
  if (grabbed.entry?.isDirectory) {
    const entry = grabbed.entry as FileSystemDirectoryEntry;
    return { kind: 'folderFiles', name: entry.name, files: await readEntryTree(entry) };
  }
  return grabbed.file ? { kind: 'file', file: grabbed.file } : null;
}

export function collectDrop(dataTransfer: DataTransfer): Promise<CheckpointInput[]> {
  const items = Array.from(dataTransfer.items).filter((item) => item.kind === 'file');
  if (items.length === 0) {
    // Very old engines: no items, only the flat file list.
    return Promise.resolve(filesOfInputList(dataTransfer.files));
  }
  const grabbed = items.map((item) => grab(item)); // synchronous, before any await
  return Promise.all(grabbed.map(toInput)).then((inputs) =>
    inputs.filter((input): input is CheckpointInput => input !== null),
  );
}
