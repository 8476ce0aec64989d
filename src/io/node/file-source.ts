/**
 * Node-only: a file on disk read by positioned reads (never loaded whole). The file type is
 * checked before it is opened (a FIFO would block the open, a device never ends), the open
 * itself is non-blocking and re-checks the type of what it got, and the handle is held only
 * from the first read to close().
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { SafetensorsError } from '../errors';
import { checkByteRange } from '../sources';
import type { ByteSource } from '../types';

export interface NodeFileSource extends ByteSource {
  /** Releases the file descriptor; later reads reopen it. */
  close(): Promise<void>;
}

const READ_NONBLOCKING = constants.O_RDONLY | constants.O_NONBLOCK;

function fileKind(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

const notRegular = (path: string, info: Awaited<ReturnType<typeof stat>>) =>
  new SafetensorsError(path, undefined, `is ${fileKind(info)}, not a regular file`);

async function openRegular(path: string, expectedSize: number, name: string): Promise<FileHandle> {
  const handle = await open(path, READ_NONBLOCKING);
  const info = await handle.stat();
  if (!info.isFile() || info.size !== expectedSize) {
    await handle.close();
    throw info.isFile()
      ? new SafetensorsError(
          name,
          undefined,
          `changed size while in use (${expectedSize} → ${info.size} bytes)`,
        )
      : notRegular(name, info);
  }
  return handle;
}

/**
 * `path` is what is opened; `name` (default: path) is what errors and shard matching see — a
 * followed symlink keeps the name it was found under.
 */
export async function nodeFileSource(path: string, name = path): Promise<NodeFileSource> {
  const info = await stat(path);
  if (!info.isFile()) throw notRegular(name, info);
  const size = info.size;
  let handle: FileHandle | undefined;
  let opening: Promise<FileHandle> | undefined;
  const ensureOpen = async () => {
    if (handle) return handle;
    opening ??= openRegular(path, size, name);
    try {
      handle = await opening;
    } finally {
      opening = undefined;
    }
    return handle;
  };
  async function readInto(begin: number, out: Uint8Array): Promise<Uint8Array> {
    checkByteRange(name, size, begin, begin + out.length);
    const h = await ensureOpen();
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await h.read(out, done, out.length - done, begin + done);
      if (bytesRead === 0) {
        throw new SafetensorsError(
          name,
          undefined,
          `the file shrank while it was read (ended before byte ${begin + done} of ${size})`,
        );
      }
      done += bytesRead;
    }
    return out;
  }
  return {
    name,
    size,
    async read(begin, end) {
      checkByteRange(name, size, begin, end);
      return readInto(begin, new Uint8Array(end - begin));
    },
    readInto,
    async close() {
      const h = handle ?? (opening ? await opening.catch(() => undefined) : undefined);
      handle = undefined;
      await h?.close();
    },
  };
}
