/**
 * Browser-safe byte sources. Every `read` returns a fresh Uint8Array the caller owns (never a
 * view into shared memory) whose byteOffset may be anything: copy before viewing as wider
 * types. readInto, where present, fills the caller's buffer instead.
 */
import { readBlobInto, ShortBlobReadError } from './blob-read';
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

/** A Blob read failed (file moved, changed or unreadable): say which file and which bytes. */
function blobReadError(name: string, begin: number, end: number, e: unknown): SafetensorsError {
  if (e instanceof SafetensorsError) return e;
  const why =
    e instanceof ShortBlobReadError
      ? 'the file ended early (was it changed after it was picked?)'
      : e instanceof Error
        ? e.message
        : String(e);
  return new SafetensorsError(name, undefined, `reading bytes [${begin}, ${end}) failed: ${why}`);
}

/**
 * A Blob or File (a File is a Blob): reads slice lazily, never the whole file. readInto fills
 * the caller's (pooled) buffer through a BYOB stream read, which transfers it: use the view it
 * resolves to (see ByteSource.readInto).
 */
export function blobSource(blob: Blob, name?: string): ByteSource {
  const fileName = name ?? (blob as Partial<File>).name ?? 'blob';
  return {
    name: fileName,
    size: blob.size,
    async read(begin, end) {
      checkRange(fileName, blob.size, begin, end);
      try {
        return new Uint8Array(await blob.slice(begin, end).arrayBuffer());
      } catch (e) {
        throw blobReadError(fileName, begin, end, e);
      }
    },
    async readInto(begin, target) {
      const end = begin + target.length;
      checkRange(fileName, blob.size, begin, end);
      try {
        return await readBlobInto(blob.slice(begin, end), target);
      } catch (e) {
        throw blobReadError(fileName, begin, end, e);
      }
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
