import { describe, expect, it } from 'vitest';
import {
  openCheckpointFolder,
  openCheckpointFromSources,
  openSingleCheckpoint,
  type CheckpointFolder,
} from './checkpoint';
import { directoryHandleFolder, fileListFolder } from './checkpoint-folders';
import { SafetensorsError } from './errors';
import { f16ToF32, f32ToF16 } from './half';
import type { TensorSpec } from './safetensors-writer';
import { writeSharded } from './sharded-writer';
import { memorySinkFolder } from './sinks';
import { memorySource } from './sources';
import { encodeValues, makeValidSafetensors, patternValues } from './testing/corpus';

const specs: TensorSpec[] = [
  { name: 'embed', dtype: 'F32', shape: [4, 3] },
  { name: 'layer.0.w', dtype: 'F16', shape: [3, 3] },
  { name: 'layer.1.w', dtype: 'BF16', shape: [3, 3] },
  { name: 'head', dtype: 'F32', shape: [2, 3] },
];
const valuesOf = (s: TensorSpec) => patternValues(s.name, s.shape[0]! * s.shape[1]!);
const enc = new TextEncoder();
const f16Round = (v: number) => f16ToF32(f32ToF16(v));

async function shardedFiles(): Promise<Map<string, Uint8Array>> {
  const folder = memorySinkFolder();
  const writer = writeSharded(folder, specs, { maxShardBytes: 48 });
  for (const s of specs) await writer.writeTensor(s.name, encodeValues(s.dtype, valuesOf(s)));
  await writer.finish();
  folder.files.set('config.json', enc.encode('{"model_type": "vit", "hidden_size": 3}'));
  return folder.files;
}

function memoryFolder(name: string, files: Map<string, Uint8Array>): CheckpointFolder {
  return {
    name,
    list: async () => [...files.keys()],
    open: async (file) => memorySource(files.get(file)!, `${name}/${file}`),
  };
}

const sourcesOf = (files: Map<string, Uint8Array>) =>
  [...files].map(([n, b]) => memorySource(b, n));

async function failure(p: Promise<unknown>): Promise<SafetensorsError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SafetensorsError);
  return e as SafetensorsError;
}

describe('checkpoints', () => {
  it('opens a single file', async () => {
    const bytes = makeValidSafetensors(specs.map((s) => ({ ...s, values: valuesOf(s) })));
    const c = await openSingleCheckpoint(memorySource(bytes, 'dir/tiny.safetensors'));
    expect(c.name).toBe('tiny');
    expect([...c.tensors.keys()]).toEqual(specs.map((s) => s.name));
    expect(c.summary()).toMatchObject({ tensorCount: 4, parameterCount: 12 + 9 + 9 + 6 });
    expect([...(await c.readF32('embed'))]).toEqual([...valuesOf(specs[0]!)]);
  });

  it('resolves a sharded folder through the index, with config.json', async () => {
    const files = await shardedFiles();
    expect([...files.keys()].filter((n) => n.startsWith('model-')).length).toBeGreaterThan(1);
    const c = await openCheckpointFolder(memoryFolder('vit-tiny', files));
    expect(c.name).toBe('vit-tiny');
    expect(c.config).toEqual({ model_type: 'vit', hidden_size: 3 });
    expect(new Set(c.files.map((f) => f.name)).size).toBe(c.files.length);
    expect(c.files.length).toBeGreaterThan(1);
    expect([...c.tensors.keys()]).toEqual(specs.map((s) => s.name));
    for (const s of specs) {
      expect(await c.readRaw(s.name)).toEqual(encodeValues(s.dtype, valuesOf(s)));
    }
    const fromSources = await openCheckpointFromSources(sourcesOf(files), 'dropped');
    expect([...fromSources.tensors.keys()]).toEqual(specs.map((s) => s.name));
  });

  it('opens an <input webkitdirectory> file list, ignoring subfolders', async () => {
    const files = await shardedFiles();
    const list = [...files].map(([name, bytes]) => {
      const f = new File([bytes as Uint8Array<ArrayBuffer>], name);
      Object.defineProperty(f, 'webkitRelativePath', { value: `picked/${name}` });
      return f;
    });
    const nested = new File(['x'], 'model.safetensors');
    Object.defineProperty(nested, 'webkitRelativePath', { value: 'picked/sub/model.safetensors' });
    const c = await openCheckpointFolder(fileListFolder([...list, nested]));
    expect(c.name).toBe('picked');
    expect(await c.readF32('head')).toEqual(valuesOf(specs[3]!));
  });

  it('opens a FileSystemDirectoryHandle folder, listing files only', async () => {
    const files = await shardedFiles();
    const fileHandle = (name: string) => ({
      kind: 'file',
      name,
      getFile: async () => new File([files.get(name)! as Uint8Array<ArrayBuffer>], name),
    });
    const dir = {
      name: 'picked-dir',
      async *values() {
        yield { kind: 'directory', name: 'model.safetensors' };
        for (const name of files.keys()) yield fileHandle(name);
      },
      getFileHandle: async (name: string) => fileHandle(name),
    } as unknown as FileSystemDirectoryHandle;
    const folder = directoryHandleFolder(dir);
    expect(await folder.list()).toEqual([...files.keys()].sort());
    const c = await openCheckpointFolder(folder);
    expect(c.name).toBe('picked-dir');
    expect(await c.readF32('layer.0.w')).toEqual(
      Float32Array.from(valuesOf(specs[1]!), (v) => Math.fround(f16Round(v))),
    );
  });

  it('reports a shard the index names but that is missing', async () => {
    const files = await shardedFiles();
    files.delete('model-00002-of-00003.safetensors');
    const e = await failure(openCheckpointFromSources(sourcesOf(files)));
    expect(e.file).toBe('model.safetensors.index.json');
    expect(e.problem).toMatch(/shard model-00002-of-00003.safetensors, which is missing/);
  });

  it('reports an index entry whose shard lacks the tensor, and shard tensors the index omits', async () => {
    const files = await shardedFiles();
    const index = JSON.parse(new TextDecoder().decode(files.get('model.safetensors.index.json')));
    index.weight_map.ghost = 'model-00001-of-00003.safetensors';
    files.set('model.safetensors.index.json', enc.encode(JSON.stringify(index)));
    const e = await failure(openCheckpointFromSources(sourcesOf(files)));
    expect(e.message).toBe(
      'model-00001-of-00003.safetensors: ghost: listed in model.safetensors.index.json but not in this shard',
    );

    delete index.weight_map.ghost;
    delete index.weight_map['layer.1.w'];
    files.set('model.safetensors.index.json', enc.encode(JSON.stringify(index)));
    const e2 = await failure(openCheckpointFromSources(sourcesOf(files)));
    expect(e2.tensor).toBe('layer.1.w');
    expect(e2.problem).toBe('not listed in model.safetensors.index.json');
  });

  it('rejects tensor name collisions across shards and folders without weights', async () => {
    const a = makeValidSafetensors([{ name: 'w', dtype: 'F32', shape: [1] }]);
    const b = makeValidSafetensors([{ name: 'w', dtype: 'F32', shape: [1] }]);
    const e = await failure(
      openCheckpointFromSources([
        memorySource(a, 'a.safetensors'),
        memorySource(b, 'b.safetensors'),
      ]),
    );
    expect(e.message).toBe('b.safetensors: w: tensor also appears in shard a.safetensors');

    const empty = await failure(
      openCheckpointFolder(memoryFolder('nothing', new Map([['config.json', enc.encode('{}')]]))),
    );
    expect(empty.message).toMatch(/^nothing: no model.safetensors or model.safetensors.index.json/);

    const badConfig = new Map([
      ['config.json', enc.encode('{oops')],
      ['model.safetensors', a],
    ]);
    const e3 = await failure(openCheckpointFolder(memoryFolder('m', badConfig)));
    expect(e3.message).toMatch(/^m\/config.json: not valid JSON/);
  });
});
