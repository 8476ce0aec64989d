/**
 * Node only: feeds folders on disk to the CLIP page's handlers as the page's fallback input
 * does (a folder's files with paths relative to it), the tiny pool's tasks, and a session with
 * that pool loaded through the CLIP page's own handlers (the studio's handlers, all of them).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { WrittenPool } from '../../eval/testing/clip-write-pool';
import { initTf } from '../../tf';
import { studioHandlers } from '../handlers';
import type { CheckpointInput, MethodName } from '../protocol';
import { Transfer, type HandlerContext } from '../serve';
import { StudioSession } from '../session';

export const CLIP_PAGE_TASKS = [
  { name: 'eurosat', classNames: ['forest', 'river', 'highway'], perClass: 3 },
  { name: 'shapes', classNames: ['circle', 'square'], perClass: 4 },
];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** A folder as `folderFiles` (what webkitdirectory and dropped entries give the worker). */
export async function folderInput(dir: string): Promise<CheckpointInput> {
  const files = [];
  for (const path of await filesUnder(dir)) {
    const rel = relative(dir, path).split('\\').join('/');
    files.push({ path: rel, file: new File([await readFile(path)], basename(path)) });
  }
  return { kind: 'folderFiles', name: basename(dir), files };
}

/** A handler context that emits nowhere. */
export const context = <M extends MethodName>(signal = new AbortController().signal) =>
  ({ signal, emit: () => undefined }) as unknown as HandlerContext<M>;

/** A handler's value (results moved to the UI come wrapped in a Transfer). */
export async function un<T>(p: Promise<T | Transfer<T>>): Promise<T> {
  const x = await p;
  return x instanceof Transfer ? x.value : x;
}

/** A fresh session on tfjs's cpu backend, no demo zoo, merges on the CPU. */
export function newSession() {
  const session = new StudioSession({
    loadZoo: () => Promise.reject(new Error('no zoo here')),
    tfDevice: () => initTf('cpu'),
  });
  session.gpuPreference = 'off';
  return { session, h: studioHandlers(session) };
}

/** The pool's base, each fine-tune and its test set, loaded as the page loads dropped folders. */
export async function loadedPool(pool: WrittenPool) {
  const { session, h } = newSession();
  await h.clipLoadBase({ input: await folderInput(pool.base) }, context());
  const ids: string[] = [];
  for (const t of CLIP_PAGE_TASKS) {
    const ft = await un(
      h.clipAddFinetune({ input: await folderInput(pool.finetunes.get(t.name)!) }, context()),
    );
    await h.clipAttachData(
      { id: ft.id, task: t.name, data: await folderInput(pool.data.get(t.name)!) },
      context(),
    );
    ids.push(ft.id);
  }
  return { session, h, ids };
}
