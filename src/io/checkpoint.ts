/**
 * A Checkpoint is one logical model that may span several safetensors shards. Opening one
 * validates every shard's header and the shard index up front.
 */
import { SafetensorsError } from './errors';
import { openSafetensors, type SafetensorsFile } from './safetensors-reader';
import { INDEX_FILE_NAME, SINGLE_FILE_NAME } from './sharded-writer';
import { summarizeTensors, type TensorSummary } from './tensor-summary';
import { baseName, readJsonFile } from './text-file';
import type { ByteSource, TensorInfo } from './types';

export interface CheckpointTensor {
  info: TensorInfo;
  file: SafetensorsFile;
}

export interface Checkpoint {
  readonly name: string;
  /** Tensor name → where it lives, in shard order then file order. */
  readonly tensors: Map<string, CheckpointTensor>;
  readonly files: SafetensorsFile[];
  /** Parsed config.json when the checkpoint came with one. */
  readonly config?: unknown;
  /** `__metadata__` of the first shard. */
  readonly metadata: Record<string, string>;
  summary(): TensorSummary;
  readRaw(name: string): Promise<Uint8Array>;
  readF32(name: string): Promise<Float32Array>;
  /** Releases the files' handles (Node files; a no-op for Blobs); later reads reopen them. */
  close(): Promise<void>;
}

/** A folder of files (Node directory, browser directory handle, or <input webkitdirectory>). */
export interface CheckpointFolder {
  readonly name: string;
  /** File names directly inside the folder. */
  list(): Promise<string[]>;
  open(file: string): Promise<ByteSource>;
}

function makeCheckpoint(
  name: string,
  files: SafetensorsFile[],
  order: string[] | undefined,
  config: unknown,
) {
  const tensors = new Map<string, CheckpointTensor>();
  const owner = new Map<string, SafetensorsFile>();
  for (const file of files) {
    for (const info of file.tensors.values()) {
      const other = owner.get(info.name);
      if (other) {
        throw new SafetensorsError(
          file.name,
          info.name,
          `tensor also appears in shard ${other.name}`,
        );
      }
      owner.set(info.name, file);
    }
  }
  for (const tensorName of order ?? owner.keys()) {
    const file = owner.get(tensorName)!;
    tensors.set(tensorName, { info: file.tensors.get(tensorName)!, file });
  }
  const entry = (tensorName: string) => {
    const t = tensors.get(tensorName);
    if (!t) throw new SafetensorsError(name, tensorName, 'no such tensor in this checkpoint');
    return t;
  };
  const summary = summarizeTensors([...tensors.values()].map((t) => t.info));
  const checkpoint: Checkpoint = {
    name,
    tensors,
    files,
    config,
    metadata: files[0]?.metadata ?? {},
    summary: () => summary,
    readRaw: (tensorName) => entry(tensorName).file.readRaw(tensorName),
    readF32: (tensorName) => entry(tensorName).file.readF32(tensorName),
    close: () => closeSources(files.map((f) => f.source)),
  };
  return checkpoint;
}

/** Closes every source that holds a handle (Node files); never throws. */
export async function closeSources(sources: readonly ByteSource[]): Promise<void> {
  await Promise.all(sources.map((s) => s.close?.().catch(() => undefined)));
}

/** Runs `use` on the opened sources and closes them all if it fails. */
async function closingOnFailure<T>(sources: ByteSource[], use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } catch (e) {
    await closeSources(sources);
    throw e;
  }
}

const stripExtension = (file: string) => baseName(file).replace(/\.safetensors$/, '');

/** One .safetensors file. */
export async function openSingleCheckpoint(
  source: ByteSource,
  name?: string,
  config?: unknown,
): Promise<Checkpoint> {
  return closingOnFailure([source], async () => {
    const file = await openSafetensors(source);
    return makeCheckpoint(name ?? stripExtension(source.name), [file], undefined, config);
  });
}

/** A side file read whole and closed right away. */
async function readJsonFileOnce(source: ByteSource): Promise<unknown> {
  try {
    return await readJsonFile(source);
  } finally {
    await closeSources([source]);
  }
}

/** Reads `model.safetensors.index.json`'s weight_map, validating its shape. */
async function readWeightMap(index: ByteSource): Promise<Map<string, string>> {
  const json = await readJsonFile(index);
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new SafetensorsError(index.name, undefined, 'missing a "weight_map" object');
  }
  const map = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string') {
      throw new SafetensorsError(index.name, tensor, 'weight_map value must be a shard file name');
    }
    map.set(tensor, shard);
  }
  return map;
}

/**
 * An index plus its shards. Every shard the index names must be among `shards` (matched by
 * file name) and contain the tensors mapped to it; shards may not hold unmapped tensors.
 */
export async function openShardedCheckpoint(
  index: ByteSource,
  shards: ByteSource[],
  name?: string,
  config?: unknown,
): Promise<Checkpoint> {
  return closingOnFailure([index, ...shards], () => openSharded(index, shards, name, config));
}

async function openSharded(
  index: ByteSource,
  shards: ByteSource[],
  name: string | undefined,
  config: unknown,
): Promise<Checkpoint> {
  const weightMap = await readWeightMap(index);
  const byName = new Map(shards.map((s) => [baseName(s.name), s]));
  const shardNames = [...new Set(weightMap.values())];
  const files: SafetensorsFile[] = [];
  for (const shardName of shardNames) {
    const source = byName.get(baseName(shardName));
    if (!source) {
      const tensor = [...weightMap].find(([, s]) => s === shardName)![0];
      throw new SafetensorsError(
        index.name,
        tensor,
        `mapped to shard ${shardName}, which is missing`,
      );
    }
    files.push(await openSafetensors(source));
  }
  const fileOf = new Map(shardNames.map((s, i) => [s, files[i]!]));
  for (const [tensor, shardName] of weightMap) {
    if (!fileOf.get(shardName)!.tensors.has(tensor)) {
      throw new SafetensorsError(
        shardName,
        tensor,
        `listed in ${baseName(index.name)} but not in this shard`,
      );
    }
  }
  const checkpoint = makeCheckpoint(name ?? 'model', files, undefined, config);
  for (const [tensor, { file }] of checkpoint.tensors) {
    if (!weightMap.has(tensor)) {
      throw new SafetensorsError(file.name, tensor, `not listed in ${baseName(index.name)}`);
    }
  }
  return checkpoint;
}

/**
 * Any set of files a user dropped or picked: an index with its shards, one or more
 * .safetensors files (several without an index are combined, names must not collide), and
 * an optional config.json.
 */
export async function openCheckpointFromSources(
  sources: ByteSource[],
  name?: string,
): Promise<Checkpoint> {
  return closingOnFailure(sources, () => openFromSources(sources, name));
}

async function openFromSources(sources: ByteSource[], name?: string): Promise<Checkpoint> {
  const find = (file: string) => sources.find((s) => baseName(s.name) === file);
  const configSource = find('config.json');
  const config = configSource ? await readJsonFileOnce(configSource) : undefined;
  const index = find(INDEX_FILE_NAME);
  const tensorFiles = sources.filter((s) => s.name.endsWith('.safetensors'));
  if (index) {
    const checkpoint = await openShardedCheckpoint(index, tensorFiles, name, config);
    await closeSources([index]);
    return checkpoint;
  }
  if (tensorFiles.length === 0) {
    throw new SafetensorsError(
      name ?? sources[0]?.name ?? 'checkpoint',
      undefined,
      'no .safetensors file given',
    );
  }
  if (tensorFiles.length === 1) return openSingleCheckpoint(tensorFiles[0]!, name, config);
  const files = [];
  for (const s of tensorFiles) files.push(await openSafetensors(s));
  return makeCheckpoint(name ?? 'model', files, undefined, config);
}

/** A Hugging Face model folder: config.json (optional) and model.safetensors or index + shards. */
export async function openCheckpointFolder(folder: CheckpointFolder): Promise<Checkpoint> {
  const names = await folder.list();
  const config = names.includes('config.json')
    ? await readJsonFileOnce(await folder.open('config.json'))
    : undefined;
  if (names.includes(INDEX_FILE_NAME)) {
    const index = await folder.open(INDEX_FILE_NAME);
    const wanted = new Set((await closingOnFailure([index], () => readWeightMap(index))).values());
    const shards: ByteSource[] = [];
    await closingOnFailure(shards, async () => {
      for (const n of names) if (wanted.has(n)) shards.push(await folder.open(n));
    });
    const checkpoint = await openShardedCheckpoint(index, shards, folder.name, config);
    await closeSources([index]);
    return checkpoint;
  }
  const single = names.includes(SINGLE_FILE_NAME)
    ? SINGLE_FILE_NAME
    : names.filter((n) => n.endsWith('.safetensors')).length === 1
      ? names.find((n) => n.endsWith('.safetensors'))
      : undefined;
  if (!single) {
    throw new SafetensorsError(
      folder.name,
      undefined,
      `no ${SINGLE_FILE_NAME} or ${INDEX_FILE_NAME} in this folder`,
    );
  }
  return openSingleCheckpoint(await folder.open(single), folder.name, config);
}
