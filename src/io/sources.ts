/**
 * Browser-safe byte sources. Every `read` returns a fresh Uint8Array the caller owns (never a
 * view into shared memory) whose byteOffset may be anything: copy before viewing as wider
 * types.
 */
import { SafetensorsError } from './errors';
import type { ByteSource } from './types';

function checkRange(name: string, size: number, begin: number, end: number): void {
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0) {
    throw new SafetensorsError(name, undefined, `invalid byte range [${begin}, ${end})`);
  }
  if (end < begin || end > size) {
    throw new SafetensorsError(
      name,
      undefined,
      `byte range [${begin}, ${end}) is outside the file (${size} bytes)`,
    );
  }
}

/** A Blob or File (a File is a Blob): reads slice lazily, never the whole file. */
export function blobSource(blob: Blob, name?: string): ByteSource {
  const fileName = name ?? (blob as Partial<File>).name ?? 'blob';
  return {
    name: fileName,
    size: blob.size,
    async read(begin, end) {
      checkRange(fileName, blob.size, begin, end);
      return new Uint8Array(await blob.slice(begin, end).arrayBuffer());
    },
  };
}

/** A file picked with showOpenFilePicker / a directory handle. The File is taken once. */
export async function fileHandleSource(handle: FileSystemFileHandle): Promise<ByteSource> {
  const file = await handle.getFile();
  return blobSource(file, handle.name);
}

/** Bytes already in memory (tests, generated models). Reads return copies. */
export function memorySource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(begin, end) {
      checkRange(name, bytes.length, begin, end);
      return bytes.slice(begin, end);
    },
  };
}

export { checkRange as checkByteRange };
