/**
 * The web manifest of a published CLIP demo zoo (`clip-zoo.json`, written by
 * `npm run zoo:clip:publish`): a page cannot list directories over HTTP, so it names every
 * file of every folder with its size, plus what the zoo is (scale, seed, provenance, licences).
 * One type and one check, used by the publisher (Node) and the page's loader (the worker).
 */

export const CLIP_ZOO_WEB_FILE = 'clip-zoo.json';
export const CLIP_ZOO_WEB_FORMAT = 'merge-studio-clip-zoo-web/1';

/** One file of a folder: its path relative to the folder ('/'-separated) and its size. */
export interface WebFile {
  path: string;
  size: number;
}

/** A folder of the zoo: where it is below the manifest, and every file in it. */
export interface WebFolder {
  folder: string;
  files: WebFile[];
}

export interface WebTask {
  name: string;
  classNames: string[];
  /** The CLIPVisionModel fine-tune of this task. */
  finetune: WebFolder;
  /** Its test set, an ImageFolder. */
  data: WebFolder;
  testImages: number;
  source: string;
  authors: string;
  licence: string;
}

export interface ClipZooWeb {
  format: typeof CLIP_ZOO_WEB_FORMAT;
  name: string;
  /** `smoke` zoos are toys for tests: their accuracies mean nothing. */
  scale: 'smoke' | 'full';
  seed: number;
  /** The CLIPModel base. */
  base: WebFolder;
  tasks: WebTask[];
  /** Every file's bytes together. */
  totalBytes: number;
  /** From the zoo's manifest.json: the builder, how the base and fine-tunes were trained, the plan. */
  provenance: { builder: string; base: unknown; finetunes: unknown; plan: unknown };
  /**
   * Task arithmetic's λ for the demo's default row, from the zoo's own sweep (the issue allows
   * "λ = 0.3, or what the zoo's own sweep says"); absent: the papers' 0.3.
   */
  demoLambda?: number;
}

type Json = Record<string, unknown>;

function fail(where: string, problem: string): never {
  throw Object.assign(new Error(`${where}: ${problem}`), { code: 'bad-demo-manifest' });
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;

function text(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(where, `"${key}" must be a non-empty string`);
  return v;
}

/** A relative path that stays inside the zoo: no '..', no leading '/', no empty part. */
function relativePath(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.split('/').some((p) => p === '' || p === '.' || p === '..'))
    fail(where, `${JSON.stringify(v)} is not a relative path inside the zoo`);
  return v;
}

function folderOf(v: unknown, where: string): WebFolder {
  if (!isObject(v) || !Array.isArray(v.files)) fail(where, 'needs "folder" and a "files" list');
  const folder = relativePath(v.folder, `${where}.folder`);
  const files = v.files.map((f: unknown, i) => {
    const at = `${where}.files[${i}]`;
    if (!isObject(f) || !Number.isSafeInteger(f.size) || (f.size as number) < 0)
      fail(at, 'needs "path" and a byte "size"');
    return { path: relativePath(f.path, `${at}.path`), size: f.size as number };
  });
  if (files.length === 0) fail(where, `folder ${folder} lists no files`);
  return { folder, files };
}

function taskOf(v: unknown, where: string): WebTask {
  if (!isObject(v)) fail(where, 'must be an object');
  const classNames = v.classNames;
  if (!Array.isArray(classNames) || !classNames.every((c) => typeof c === 'string'))
    fail(where, '"classNames" must be a list of strings');
  return {
    name: text(v, 'name', where),
    classNames,
    finetune: folderOf(v.finetune, `${where}.finetune`),
    data: folderOf(v.data, `${where}.data`),
    testImages: Number(v.testImages),
    source: text(v, 'source', where),
    authors: text(v, 'authors', where),
    licence: text(v, 'licence', where),
  };
}

/** Checks a parsed `clip-zoo.json`; `where` (its URL or path) names it in every error. */
export function validateClipZooWeb(json: unknown, where: string): ClipZooWeb {
  if (!isObject(json)) fail(where, 'is not a JSON object');
  if (json.format !== CLIP_ZOO_WEB_FORMAT)
    fail(where, `format ${JSON.stringify(json.format)} is not ${CLIP_ZOO_WEB_FORMAT}`);
  if (json.scale !== 'smoke' && json.scale !== 'full')
    fail(where, '"scale" must be "smoke" or "full"');
  if (!Array.isArray(json.tasks) || json.tasks.length === 0) fail(where, 'lists no tasks');
  const provenance = isObject(json.provenance) ? json.provenance : {};
  const demoLambda = json.demoLambda;
  if (
    demoLambda !== undefined &&
    !(typeof demoLambda === 'number' && demoLambda > 0 && demoLambda <= 2)
  )
    fail(where, '"demoLambda" must be a number in (0, 2]');
  return {
    ...(demoLambda !== undefined ? { demoLambda } : {}),
    format: CLIP_ZOO_WEB_FORMAT,
    name: text(json, 'name', where),
    scale: json.scale,
    seed: Number(json.seed),
    base: folderOf(json.base, `${where} base`),
    tasks: json.tasks.map((t, i) => taskOf(t, `${where} tasks[${i}]`)),
    totalBytes: Number(json.totalBytes),
    provenance: {
      builder: String(provenance.builder ?? ''),
      base: provenance.base,
      finetunes: provenance.finetunes,
      plan: provenance.plan,
    },
  };
}

/** Every folder of the zoo, base first, then each task's fine-tune and data. */
export function webFolders(zoo: ClipZooWeb): WebFolder[] {
  return [zoo.base, ...zoo.tasks.flatMap((t) => [t.finetune, t.data])];
}
