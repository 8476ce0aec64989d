/** Node-only: a file on disk read by positioned reads (never loaded whole). */
import { open, type FileHandle } from 'node:fs/promises';
import { checkByteRange } from '../sources';
import type { ByteSource } from '../types';

export interface NodeFileSource extends ByteSource {
  /** Releases the file descriptor; later reads reopen it. */
  close(): Promise<void>;
}

export async function nodeFileSource(path: string): Promise<NodeFileSource> {
  let handle: FileHandle | undefined = await open(path, 'r');
  const stat = await handle.stat();
  const size = stat.size;
  if (!stat.isFile()) {
    await handle.close();
    throw new Error(`${path}: not a regular file`);
  }
  async function readInto(begin: number, out: Uint8Array): Promise<Uint8Array> {
    checkByteRange(path, size, begin, begin + out.length);
    handle ??= await open(path, 'r');
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await handle.read(out, done, out.length - done, begin + done);
      if (bytesRead === 0) throw new Error(`${path}: file shrank while reading`);
      done += bytesRead;
    }
    return out;
  }
  return {
    name: path,
    size,
    async read(begin, end) {
      checkByteRange(path, size, begin, end);
      return readInto(begin, new Uint8Array(end - begin));
    },
    readInto,
    async close() {
      const h = handle;
      handle = undefined;
      await h?.close();
    },
  };
}
