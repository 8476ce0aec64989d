/**
 * Node-only: a model folder written as a unit. Every file goes into a fresh staging folder
 * beside the target (`<dir>.partial-XXXXXX`); commit() renames it into place, so a reader sees
 * either the old folder or the complete new one, never a mix of two models (a stale index or
 * shard of the old model cannot shadow the new one). An existing non-empty folder is replaced
 * only with `overwrite` — moved aside first and removed once the new one is in place.
 * discard() (or the process exiting) removes the staging folder.
 */
import { lstat, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputPathError } from '../errors';
import type { SinkFolder } from '../types';
import { nodeFileSink } from './file-sink';
import { ownTemp, releaseTemp } from './owned-temps';

export interface StagedSinkFolder extends SinkFolder {
  /** Where the files are written until commit(). */
  readonly stagingDir: string;
  /** Publishes the folder: renames the staging folder to the target. */
  commit(): Promise<void>;
  /** Removes everything written (safe to call twice, or after commit: then a no-op). */
  discard(): Promise<void>;
}

export interface StagedFolderOptions {
  /** Replace a non-empty folder at the target (else commit refuses). */
  overwrite?: boolean;
}

/** What stands at `dir` now, for the commit decision. */
async function targetState(dir: string): Promise<'none' | 'empty' | 'full'> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info) return 'none';
  if (!info.isDirectory()) throw new OutputPathError(dir, 'exists and is not a folder');
  return (await readdir(dir)).length === 0 ? 'empty' : 'full';
}

export async function stagedSinkFolder(
  dir: string,
  options: StagedFolderOptions = {},
): Promise<StagedSinkFolder> {
  const stagingDir = await mkdtemp(`${dir}.partial-`);
  ownTemp(stagingDir);
  let state: 'open' | 'committed' | 'discarded' = 'open';
  return {
    stagingDir,
    createSink(fileName) {
      if (state !== 'open') throw new OutputPathError(dir, `the output folder is ${state}`);
      return nodeFileSink(join(stagingDir, fileName));
    },
    async commit() {
      if (state !== 'open') throw new OutputPathError(dir, `the output folder is ${state}`);
      const now = await targetState(dir);
      if (now === 'full' && !options.overwrite) {
        throw new OutputPathError(dir, 'already holds files; use --overwrite to replace it');
      }
      if (now === 'empty') await rmdir(dir);
      let old: string | undefined;
      if (now === 'full') {
        // Kept (not owned) until the new folder is in place: a crash here loses no model.
        old = `${stagingDir}.old`;
        await rename(dir, old);
      }
      await rename(stagingDir, dir);
      releaseTemp(stagingDir);
      state = 'committed';
      if (old) await rm(old, { recursive: true, force: true });
    },
    async discard() {
      if (state !== 'open') return;
      state = 'discarded';
      await rm(stagingDir, { recursive: true, force: true });
      releaseTemp(stagingDir);
    },
  };
}
