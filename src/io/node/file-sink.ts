/**
 * Node-only: writes to `<path>.partial` and renames it to `<path>` on close, so a crash or an
 * abort never leaves a half-written file under the real name.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSink, SinkFolder } from '../types';

export async function nodeFileSink(path: string): Promise<ByteSink> {
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  let state: 'open' | 'closed' | 'aborted' = 'open';
  return {
    name: path,
    async write(chunk) {
      if (state !== 'open') throw new Error(`${path}: cannot write: the output is ${state}`);
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    },
    async close() {
      if (state !== 'open') throw new Error(`${path}: cannot close: the output is ${state}`);
      state = 'closed';
      await handle.close();
      await rename(partial, path);
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      await handle.close().catch(() => undefined);
      await unlink(partial).catch(() => undefined);
    },
  };
}

export function nodeSinkFolder(dir: string): SinkFolder {
  return { createSink: (fileName) => nodeFileSink(join(dir, fileName)) };
}
