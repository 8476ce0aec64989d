/**
 * Node-only: writes to a fresh `<name>.<random>.partial` beside the target, created
 * exclusively (O_EXCL: never an existing file; O_NOFOLLOW: never through a symlink), and renames
 * it to the target on close — an atomic replace, so a crash or an abort never leaves a
 * half-written file under the real name and a planted link can never redirect the write.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputPathError } from '../errors';
import type { ByteSink, SinkFolder } from '../types';
import { ownTemp, releaseTemp } from './owned-temps';

const EXCLUSIVE_WRITE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A name no other run picks: `<dir>/<base>.<12 hex>.partial`. */
export const uniqueTempPath = (path: string): string =>
  join(dirname(path), `${basename(path)}.${randomBytes(6).toString('hex')}.partial`);

async function refuseDirectory(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new OutputPathError(path, 'is an existing directory; a file is meant here');
  }
}

/** A file sink whose close() completes the file but leaves publishing to commit(). */
export interface StagedFileSink extends ByteSink {
  /** Renames the completed file into place. */
  commit(): Promise<void>;
  /** Removes the file (written or not); a no-op once committed. */
  discard(): Promise<void>;
}

/**
 * Like nodeFileSink, but close() only completes the temporary file: the caller publishes it
 * with commit() once everything else of the run succeeded (and was not cancelled).
 */
export async function stagedFileSink(path: string): Promise<StagedFileSink> {
  let completed = false;
  let published = false;
  const sink = await nodeFileSink(path, () => {
    completed = true;
    return Promise.resolve();
  });
  return {
    ...sink,
    async commit() {
      if (!completed) throw new OutputPathError(path, 'cannot publish: the file is not complete');
      if (published) return;
      await sink.publish!();
      published = true;
    },
    async discard() {
      if (published) return;
      await sink.abort();
    },
  };
}

interface InternalSink extends ByteSink {
  publish?: () => Promise<void>;
}

export async function nodeFileSink(
  path: string,
  onComplete?: () => Promise<void>,
): Promise<InternalSink> {
  await refuseDirectory(path);
  const partial = uniqueTempPath(path);
  const handle = await open(partial, EXCLUSIVE_WRITE, 0o644);
  ownTemp(partial);
  let state: 'open' | 'complete' | 'closed' | 'aborted' = 'open';
  const publish = async () => {
    try {
      await refuseDirectory(path); // appeared since the start: rename would fail obscurely
      await rename(partial, path);
      state = 'closed';
    } finally {
      if (state !== 'closed') await unlink(partial).catch(() => undefined);
      releaseTemp(partial);
    }
  };
  return {
    name: path,
    publish,
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
      state = 'complete';
      try {
        await handle.sync();
        await handle.close();
      } catch (e) {
        await handle.close().catch(() => undefined);
        await unlink(partial).catch(() => undefined);
        releaseTemp(partial);
        state = 'aborted';
        throw e;
      }
      await (onComplete ? onComplete() : publish());
    },
    async abort() {
      if (state === 'closed' || state === 'aborted') return;
      state = 'aborted';
      await handle.close().catch(() => undefined);
      await unlink(partial).catch(() => undefined);
      releaseTemp(partial);
    },
  };
}

/** Files written straight into `dir`, each published on its own close (see stagedSinkFolder). */
export function nodeSinkFolder(dir: string): SinkFolder {
  return { createSink: (fileName) => nodeFileSink(join(dir, fileName)) };
}
