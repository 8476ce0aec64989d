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
  return {
    name: path,
    size,
    async read(begin, end) {
      checkByteRange(path, size, begin, end);
      handle ??= await open(path, 'r');
      const out = new Uint8Array(end - begin);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, begin + done);
        if (bytesRead === 0) throw new Error(`${path}: file shrank while reading`);
        done += bytesRead;
      }
      return out;
    },
    async close() {
      const h = handle;
      handle = undefined;
      await h?.close();
    },
  };
}
