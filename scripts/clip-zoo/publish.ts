/**
 * `npm run zoo:clip:publish -- <zoo dir> [<dest>]` (dest default public/clip-zoo): copies a
 * built CLIP zoo's folders (clip-base, clip-<task>, data/<task>, manifest.json) into <dest>
 * and writes the web manifest the page loads it by (`clip-zoo.json`: every file with its size,
 * since a page cannot list directories over HTTP; the scale, seed, provenance and licences).
 * Refuses a zoo above 25 MB (10^6 bytes), the most a committed demo may weigh. The copy is
 * staged beside <dest> and swapped in at the end, so a failed publish leaves <dest> as it was.
 */
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  CLIP_ZOO_WEB_FILE,
  CLIP_ZOO_WEB_FORMAT,
  validateClipZooWeb,
  webFolders,
  type ClipZooWeb,
  type WebFile,
  type WebFolder,
} from '../../src/worker/demo/clip-manifest';

export const MAX_PUBLISHED_BYTES = 25_000_000;
export const DEFAULT_DEST = 'public/clip-zoo';

export class PublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishError';
  }
}

interface ZooManifest {
  name: string;
  builder: string;
  seed: number;
  scale: string;
  base: { folder: string };
  finetunes: unknown;
  plan: { testPerTask?: number };
  tasks: {
    name: string;
    folder: string;
    data: string;
    classNames: string[];
    source: string;
    authors: string;
    licence: string;
  }[];
}

/** Files below `dir`, paths relative to it; hidden files and half-written `.partial`s skipped. */
async function listFiles(root: string, dir = root): Promise<WebFile[]> {
  const out: WebFile[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.') || entry.name.endsWith('.partial')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else
      out.push({ path: relative(root, path).split('\\').join('/'), size: (await stat(path)).size });
  }
  return out;
}

async function readZooManifest(zoo: string): Promise<ZooManifest> {
  const path = join(zoo, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new PublishError(`${path}: not there; is ${zoo} a built zoo (npm run zoo:clip)?`);
  }
  const json = JSON.parse(text) as ZooManifest;
  if (!json.base?.folder || !Array.isArray(json.tasks))
    throw new PublishError(`${path}: no base folder or task list; not a CLIP zoo manifest`);
  return json;
}

async function webFolder(zoo: string, folder: string): Promise<WebFolder> {
  const dir = join(zoo, folder);
  const files = await listFiles(dir).catch(() => {
    throw new PublishError(`${dir}: missing (the zoo's manifest.json names it)`);
  });
  if (files.length === 0) throw new PublishError(`${dir}: empty`);
  return { folder, files };
}

/** The web manifest of the zoo at `zoo`, from its manifest.json and the files on disk. */
export async function webManifestOf(zoo: string): Promise<ClipZooWeb> {
  const m = await readZooManifest(zoo);
  const base = await webFolder(zoo, m.base.folder);
  const tasks = [];
  for (const t of m.tasks) {
    tasks.push({
      name: t.name,
      classNames: t.classNames,
      finetune: await webFolder(zoo, t.folder),
      data: await webFolder(zoo, t.data),
      testImages: m.plan.testPerTask ?? 0,
      source: t.source,
      authors: t.authors,
      licence: t.licence,
    });
  }
  const files = [base.files, ...tasks.flatMap((t) => [t.finetune.files, t.data.files])].flat();
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const web = {
    format: CLIP_ZOO_WEB_FORMAT,
    name: m.name,
    scale: m.scale,
    seed: m.seed,
    base,
    tasks,
    totalBytes,
    provenance: { builder: m.builder, base: m.base, finetunes: m.finetunes, plan: m.plan },
  };
  return validateClipZooWeb(web, join(zoo, 'manifest.json'));
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** Publishes the zoo at `zoo` into `dest`; returns the web manifest written there. */
export async function publishClipZoo(
  zoo: string,
  dest: string = DEFAULT_DEST,
  options: { maxBytes?: number; demoLambda?: number } = {},
): Promise<ClipZooWeb> {
  const maxBytes = options.maxBytes ?? MAX_PUBLISHED_BYTES;
  const web = await webManifestOf(zoo);
  if (options.demoLambda !== undefined) web.demoLambda = options.demoLambda;
  const manifestBytes = (await stat(join(zoo, 'manifest.json'))).size;
  const total = web.totalBytes + manifestBytes;
  if (total > maxBytes) {
    throw new PublishError(
      `${zoo}: ${mb(total)}, above the ${mb(maxBytes)} a published demo zoo may be; not published`,
    );
  }
  if (resolve(zoo) === resolve(dest)) throw new PublishError(`${dest}: is the zoo itself`);
  const staged = `${dest}.partial`;
  await rm(staged, { recursive: true, force: true });
  await mkdir(staged, { recursive: true });
  for (const folder of webFolders(web)) {
    for (const file of folder.files) {
      const to = join(staged, folder.folder, file.path);
      await cp(join(zoo, folder.folder, file.path), to);
    }
  }
  await cp(join(zoo, 'manifest.json'), join(staged, 'manifest.json'));
  await writeFile(join(staged, CLIP_ZOO_WEB_FILE), `${JSON.stringify(web, null, 1)}\n`);
  await rm(dest, { recursive: true, force: true });
  await rename(staged, dest);
  return web;
}

const USAGE = 'usage: npm run zoo:clip:publish -- <zoo dir> [<dest>] [--demo-lambda λ]';

function parseArgs(argv: readonly string[]): { zoo: string; dest: string; demoLambda?: number } {
  const at = argv.indexOf('--demo-lambda');
  let demoLambda: number | undefined;
  let rest = [...argv];
  if (at >= 0) {
    demoLambda = Number(argv[at + 1]);
    if (!(demoLambda > 0 && demoLambda <= 2))
      throw new PublishError(`--demo-lambda must be a number in (0, 2] (${USAGE})`);
    rest = [...argv.slice(0, at), ...argv.slice(at + 2)];
  }
  const [zoo, dest = DEFAULT_DEST, ...extra] = rest;
  if (!zoo || zoo.startsWith('-') || extra.length > 0) throw new PublishError(USAGE);
  return { zoo, dest, ...(demoLambda !== undefined ? { demoLambda } : {}) };
}

const isMain =
  process.argv[1]?.endsWith('publish.ts') && import.meta.url.endsWith('clip-zoo/publish.ts');
if (isMain) {
  const run = async () => {
    const { zoo, dest, demoLambda } = parseArgs(process.argv.slice(2));
    const web = await publishClipZoo(zoo, dest, demoLambda !== undefined ? { demoLambda } : {});
    const files = webFolders(web).reduce((n, f) => n + f.files.length, 0);
    console.log(
      `published ${web.name} (${web.scale}, seed ${web.seed}): ${web.tasks.length} tasks, ` +
        `${files} files, ${mb(web.totalBytes)} into ${dest}/ (${CLIP_ZOO_WEB_FILE})`,
    );
  };
  run().catch((e: unknown) => {
    console.error(e instanceof PublishError ? `zoo:clip:publish: ${e.message}` : e);
    process.exit(e instanceof PublishError ? 2 : 1);
  });
}
