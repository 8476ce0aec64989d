import { describe, expect, it } from 'vitest';
import { openSafetensors } from './safetensors-reader';
import type { TensorSpec } from './safetensors-writer';
import { planShards, writeSharded } from './sharded-writer';
import { memorySinkFolder } from './sinks';
import { memorySource } from './sources';
import { encodeValues, patternValues } from './testing/corpus';

const specs: TensorSpec[] = [
  { name: 'a', dtype: 'F32', shape: [10] }, // 40 bytes
  { name: 'b', dtype: 'F32', shape: [10] }, // 40
  { name: 'c', dtype: 'F32', shape: [30] }, // 120: larger than the limit
  { name: 'd', dtype: 'F16', shape: [4] }, // 8
];
const bytesOf = (s: TensorSpec) => encodeValues(s.dtype, patternValues(s.name, s.shape[0]!));

describe('planShards', () => {
  it('groups greedily in order and gives an oversized tensor its own shard', () => {
    const plan = planShards(specs, 100);
    expect(plan.map((p) => p.specs.map((s) => s.name))).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(plan.map((p) => p.fileName)).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
    ]);
    expect(plan.map((p) => p.bytes)).toEqual([80, 120, 8]);
    expect(planShards(specs).map((p) => p.fileName)).toEqual(['model.safetensors']);
  });
});

describe('writeSharded', () => {
  it('writes shards and an index that resolve every tensor to its bytes', async () => {
    const folder = memorySinkFolder();
    const writer = writeSharded(folder, specs, { maxShardBytes: 100, metadata: { format: 'pt' } });
    for (const s of specs) await writer.writeTensor(s.name, bytesOf(s));
    await writer.finish();
    const index = JSON.parse(
      new TextDecoder().decode(folder.files.get('model.safetensors.index.json')),
    );
    expect(index.metadata).toEqual({ total_size: 208 });
    expect(index.weight_map).toEqual({
      a: 'model-00001-of-00003.safetensors',
      b: 'model-00001-of-00003.safetensors',
      c: 'model-00002-of-00003.safetensors',
      d: 'model-00003-of-00003.safetensors',
    });
    for (const s of specs) {
      const shard = folder.files.get(index.weight_map[s.name])!;
      const st = await openSafetensors(memorySource(shard, index.weight_map[s.name]));
      expect(st.metadata).toEqual({ format: 'pt' });
      expect(await st.readRaw(s.name)).toEqual(bytesOf(s));
    }
    // The index is written last: only after every shard was completed.
    expect(folder.sinks.map((s) => s.name).at(-1)).toBe('model.safetensors.index.json');
  });

  it('writes a single model.safetensors and no index when everything fits', async () => {
    const folder = memorySinkFolder();
    const writer = writeSharded(folder, specs);
    for (const s of specs) await writer.writeTensor(s.name, bytesOf(s));
    await writer.finish();
    expect([...folder.files.keys()]).toEqual(['model.safetensors']);
  });

  it('publishes nothing when a write fails or finish comes early', async () => {
    const folder = memorySinkFolder();
    const writer = writeSharded(folder, specs, { maxShardBytes: 100 });
    await writer.writeTensor('a', bytesOf(specs[0]!));
    await writer.writeTensor('b', bytesOf(specs[1]!));
    await writer.writeTensor('c', bytesOf(specs[2]!));
    await expect(writer.writeTensor('d', new Uint8Array(3))).rejects.toThrow('needs 8');
    expect(folder.files.size).toBe(0);
    expect(folder.sinks.every((s) => s.state === 'aborted')).toBe(true);

    const folder2 = memorySinkFolder();
    const early = writeSharded(folder2, specs, { maxShardBytes: 100 });
    await early.writeTensor('a', bytesOf(specs[0]!));
    await expect(early.finish()).rejects.toThrow(
      'b: finish() called before this tensor was written',
    );
    expect(folder2.files.size).toBe(0);
  });
});
