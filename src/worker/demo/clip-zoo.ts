/**
 * The CLIP demo zoo as the page gets it: `clip-zoo.json` (public/clip-zoo, written by
 * `npm run zoo:clip:publish`), then every file it lists, turned into the `folderFiles` inputs
 * a user's dropped folders are (File objects, paths relative to their folder). The page then
 * loads them through the CLIP panel's own calls (clipLoadBase, clipAddFinetune,
 * clipAttachData): there is no second loader for models, only this fetching.
 */
import { progressReporter, type ProgressCallback } from '../../core';
import type { CheckpointInput } from '../protocol';
import {
  CLIP_ZOO_WEB_FILE,
  validateClipZooWeb,
  webFolders,
  type ClipZooWeb,
  type WebFolder,
} from './clip-manifest';

/** Where the app serves public/clip-zoo (Vite's base, so a sub-path deployment works too). */
export const CLIP_ZOO_URL = `${import.meta.env?.BASE_URL ?? '/'}clip-zoo/`;

/** Files fetched at once: enough to hide a request's latency, few enough for a dev server. */
const PARALLEL = 6;

export interface ClipDemoInputs {
  zoo: ClipZooWeb;
  base: CheckpointInput;
  /** In the manifest's order: each task's fine-tune folder and test set (an ImageFolder). */
  tasks: { name: string; finetune: CheckpointInput; data: CheckpointInput }[];
}

export interface FetchClipDemoOptions {
  signal: AbortSignal;
  /** The folder that holds clip-zoo.json, ending in '/' (default: the app's public/clip-zoo). */
  url?: string;
  onProgress?: ProgressCallback;
  /** The fetch to use (Node specs serve files from disk). */
  fetch?: typeof fetch;
}

type Fetch = typeof fetch;

async function fetchOk(get: Fetch, url: string, signal: AbortSignal): Promise<Response> {
  const response = await get(url, { signal });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

async function readWebManifest(get: Fetch, base: string, signal: AbortSignal) {
  const url = `${base}${CLIP_ZOO_WEB_FILE}`;
  let json: unknown;
  try {
    json = JSON.parse(await (await fetchOk(get, url, signal)).text());
  } catch (error) {
    if (signal.aborted) throw error;
    // A dev server answers unknown paths with index.html: that means "not published".
    throw Object.assign(
      new Error(`${url} is not there (publish a built zoo: npm run zoo:clip:publish -- <zoo dir>)`),
      { code: 'demo-missing' },
    );
  }
  return validateClipZooWeb(json, url);
}

const lastPart = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Runs `work` on every item, `PARALLEL` at a time; the first failure stops the rest. */
async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, lane));
}

/** Every listed file of the zoo, checked against its listed size, as File objects by folder. */
async function fetchFolders(
  get: Fetch,
  base: string,
  zoo: ClipZooWeb,
  { signal, onProgress }: FetchClipDemoOptions,
): Promise<Map<WebFolder, CheckpointInput>> {
  const folders = webFolders(zoo);
  const jobs = folders.flatMap((folder) => folder.files.map((file) => ({ folder, file })));
  const files = new Map(folders.map((f) => [f, [] as { path: string; file: File }[]]));
  const progress = progressReporter('fetching the CLIP demo', jobs.length, onProgress, {
    totalBytes: zoo.totalBytes,
  });
  await inParallel(jobs, async ({ folder, file }) => {
    signal.throwIfAborted();
    const url = `${base}${folder.folder}/${file.path}`;
    const blob = await (await fetchOk(get, url, signal)).blob();
    if (blob.size !== file.size) {
      throw Object.assign(
        new Error(`${url}: ${blob.size} bytes, ${CLIP_ZOO_WEB_FILE} says ${file.size}`),
        { code: 'bad-demo-file', file: url },
      );
    }
    files.get(folder)!.push({ path: file.path, file: new File([blob], lastPart(file.path)) });
    progress.advance(1, blob.size);
  });
  progress.finish();
  return new Map(
    folders.map((f) => {
      // In the manifest's order, whatever order the requests finished in.
      const order = new Map(f.files.map((x, i) => [x.path, i]));
      const sorted = files.get(f)!.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
      return [f, { kind: 'folderFiles', name: lastPart(f.folder), files: sorted }];
    }),
  );
}

/** Is the CLIP demo published here, and on which tasks? The button explains when it is not. */
export type ClipDemoProbe =
  { available: true; name: string; tasks: string[] } | { available: false; reason: string };

/** Reads clip-zoo.json only (no model file); never throws. */
export async function probeClipDemo(
  options: Pick<FetchClipDemoOptions, 'url' | 'fetch'> = {},
): Promise<ClipDemoProbe> {
  const get = options.fetch ?? fetch;
  const base = options.url ?? CLIP_ZOO_URL;
  try {
    const zoo = await readWebManifest(get, base, new AbortController().signal);
    return { available: true, name: zoo.name, tasks: zoo.tasks.map((t) => t.name) };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Fetches the published CLIP demo and returns it as the CLIP panel's inputs. */
export async function fetchClipDemo(options: FetchClipDemoOptions): Promise<ClipDemoInputs> {
  const get = options.fetch ?? fetch;
  const base = options.url ?? CLIP_ZOO_URL;
  const zoo = await readWebManifest(get, base, options.signal);
  const inputs = await fetchFolders(get, base, zoo, options);
  return {
    zoo,
    base: inputs.get(zoo.base)!,
    tasks: zoo.tasks.map((t) => ({
      name: t.name,
      finetune: inputs.get(t.finetune)!,
      data: inputs.get(t.data)!,
    })),
  };
}
