/**
 * Decides which checkpoints a drop or pick contains. A folder with safetensors at its top is
 * one checkpoint (an HF folder: config.json, model.safetensors or index + shards); a folder
 * without is a collection whose subfolders are checkpoints (a zoo). Loose files are one
 * checkpoint each, except an index file, which gathers the loose shards it names.
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

/** Shard names an index maps to are only known after reading it, so indexes claim lazily. */
function planLooseFiles(files: FolderFile[]): CheckpointCandidate[] {
  const indexes = files.filter((f) => f.path.endsWith(INDEX_SUFFIX));
  if (indexes.length === 0) {
    return files.map((file) => ({ name: file.path, files: [file], fromFolder: false }));
  }
  // With an index among loose files, the selection is one sharded checkpoint per index;
  // which shards belong to which index is settled when the index is read.
  const rest = files.filter((f) => !f.path.endsWith(INDEX_SUFFIX));
  if (indexes.length === 1) {
    const name = indexes[0]!.path.slice(0, -INDEX_SUFFIX.length);
    return [{ name, files: [...indexes, ...rest], fromFolder: false }];
  }
  return [
    ...indexes.map((index) => ({ name: index.path, files: [index, ...rest], fromFolder: false })),
  ];
}

export function planCheckpoints(units: LoadUnit[]): CheckpointCandidate[] {
  const loose = units.flatMap((u) => (u.kind === 'file' ? [u.file] : []));
  const folders = units.flatMap((u) => (u.kind === 'folder' ? planFolder(u.name, u.files) : []));
  return [...planLooseFiles(loose), ...folders];
}
