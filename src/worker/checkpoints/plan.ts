/**
 * Decides which checkpoints a drop or pick contains. A folder with safetensors at its top is
 * one checkpoint (an HF folder: config.json, model.safetensors or index + shards); a folder
 * without is a collection whose subfolders are checkpoints (a zoo). Loose files are one
 * checkpoint each, except that an index gathers the loose shards (and config.json) with it.
 */
import type { FolderFile, LoadUnit } from './inputs';

export interface CheckpointCandidate {
  name: string;
  /** The files of this checkpoint, paths relative to its own folder. */
  files: FolderFile[];
  fromFolder: boolean;
}

const INDEX_SUFFIX = '.safetensors.index.json';
const isWeights = (path: string) => path.endsWith('.safetensors');
const isIndex = (path: string) => path.endsWith(INDEX_SUFFIX);
const isConfig = (path: string) => path === 'config.json';
const topLevel = (file: FolderFile) => !file.path.includes('/');

function planFolder(name: string, files: FolderFile[]): CheckpointCandidate[] {
  if (files.some((f) => topLevel(f) && isWeights(f.path))) {
    return [{ name, files: files.filter(topLevel), fromFolder: true }];
  }
  const bySub = new Map<string, FolderFile[]>();
  for (const file of files) {
    const slash = file.path.indexOf('/');
    if (slash < 0) continue;
    const sub = file.path.slice(0, slash);
    const list = bySub.get(sub) ?? [];
    list.push({ path: file.path.slice(slash + 1), source: file.source });
    bySub.set(sub, list);
  }
  const nested = [...bySub].flatMap(([sub, list]) => planFolder(`${name}/${sub}`, list));
  // An empty or unrelated folder still gets a row, so the user sees why nothing loaded.
  return nested.length > 0 ? nested : [{ name, files: files.filter(topLevel), fromFolder: true }];
}

const single = (file: FolderFile, extra: FolderFile[] = []): CheckpointCandidate => ({
  name: file.path,
  files: [file, ...extra],
  fromFolder: false,
});

function planLooseFiles(files: FolderFile[]): CheckpointCandidate[] {
  const indexes = files.filter((f) => isIndex(f.path));
  if (indexes.length > 0) {
    // Each index takes the files it names (io matches shards by name); the rest rides along.
    const others = files.filter((f) => !isIndex(f.path));
    return indexes.map((index) => ({
      name: indexes.length === 1 ? index.path.slice(0, -INDEX_SUFFIX.length) : index.path,
      files: [index, ...others],
      fromFolder: false,
    }));
  }
  const weights = files.filter((f) => isWeights(f.path));
  const configs = files.filter((f) => isConfig(f.path));
  const unknown = files.filter((f) => !isWeights(f.path) && !isConfig(f.path));
  // A config.json picked with exactly one weights file describes that model.
  const attachConfig = weights.length === 1 && configs.length === 1;
  return [
    ...weights.map((w) => single(w, attachConfig ? configs : [])),
    ...(attachConfig ? [] : configs).map((c) => single(c)),
    ...unknown.map((u) => single(u)),
  ];
}

export function planCheckpoints(units: LoadUnit[]): CheckpointCandidate[] {
  const loose = units.flatMap((u) => (u.kind === 'file' ? [u.file] : []));
  const folders = units.flatMap((u) => (u.kind === 'folder' ? planFolder(u.name, u.files) : []));
  return [...planLooseFiles(loose), ...folders];
}
