import { describe, expect, it } from 'vitest';
import { memorySinkFolder, writeSharded, type TensorSpec } from '../../io';
import { encodeValues, makeValidSafetensors, patternValues } from '../../io/testing/corpus';
import type { HandlerContext } from '../serve';
import type { CheckpointInput, EventOf } from '../protocol';
import { checkCompatibility } from './compatibility';
import { loadCheckpoints } from './load';
import { CheckpointRegistry } from './registry';

// Shapes chosen so parameter counts are easy to check by hand: 4·3 + 3 + classes·3.
const specs = (classes: number): TensorSpec[] => [
  { name: 'encoder.w', dtype: 'F32', shape: [4, 3] },
  { name: 'encoder.b', dtype: 'F16', shape: [3] },
  { name: 'heads.cls', dtype: 'F32', shape: [classes, 3] },
];
const bytesOf = (classes: number) => makeValidSafetensors(specs(classes));
/** TS 5.9 types Uint8Array over ArrayBufferLike; File wants ArrayBuffer-backed parts. */
const toFile = (bytes: Uint8Array, name: string) => new File([new Uint8Array(bytes)], name);
const file = (name: string, bytes: Uint8Array): CheckpointInput => ({
  kind: 'file',
  file: toFile(bytes, name),
});

async function sharded(): Promise<Map<string, Uint8Array>> {
  const folder = memorySinkFolder();
  const writer = writeSharded(folder, specs(2), { maxShardBytes: 40 });
  for (const s of specs(2)) {
    const count = s.shape.reduce((a, b) => a * b, 1);
    await writer.writeTensor(s.name, encodeValues(s.dtype, patternValues(s.name, count)));
  }
  await writer.finish();
  folder.files.set('config.json', new TextEncoder().encode('{"architectures": ["TinyViT"]}'));
  return folder.files;
}

async function load(registry: CheckpointRegistry, inputs: CheckpointInput[]) {
  const events: EventOf<'loadCheckpoints'>[] = [];
  const context: HandlerContext<'loadCheckpoints'> = {
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
  };
  const result = await loadCheckpoints(registry, { inputs }, context);
  const loaded = events.flatMap((e) => (e.type === 'checkpointLoaded' ? [e.summary] : []));
  const failed = events.flatMap((e) => (e.type === 'checkpointFailed' ? [e] : []));
  return { result, loaded, failed, events };
}

describe('loadCheckpoints (worker)', () => {
  it('loads loose files one checkpoint each, with hand-counted parameters', async () => {
    const { loaded, result } = await load(new CheckpointRegistry(), [
      file('a.safetensors', bytesOf(10)),
      file('b.safetensors', bytesOf(2)),
    ]);
    expect(loaded.map((s) => [s.name, s.layout, s.tensorCount, s.parameterCount])).toEqual([
      ['a.safetensors', 'single', 3, 12 + 3 + 30],
      ['b.safetensors', 'single', 3, 12 + 3 + 6],
    ]);
    expect(loaded[0]!.dtypes).toEqual({ F32: 42, F16: 3 });
    expect(result.loaded).toHaveLength(2);
  });

  it('reports a corrupt file by name and still loads the good one', async () => {
    const good = bytesOf(2);
    const { loaded, failed, events } = await load(new CheckpointRegistry(), [
      file('good.safetensors', good),
      file('cut.safetensors', good.slice(0, good.length - 8)),
    ]);
    expect(loaded.map((s) => s.name)).toEqual(['good.safetensors']);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.name).toBe('cut.safetensors');
    expect(failed[0]!.error.file).toBe('cut.safetensors');
    expect(failed[0]!.error.message).toContain('heads.cls');
    // Both rows are announced before either is read, so the table shows them at once.
    expect(events.slice(0, 2).map((e) => e.type)).toEqual([
      'checkpointPending',
      'checkpointPending',
    ]);
  });

  it('gathers loose shards and config.json under their index', async () => {
    const files = await sharded();
    expect(files.size).toBeGreaterThan(3); // index + ≥2 shards + config
    const inputs = [...files].map(([name, bytes]) => file(name, bytes));
    const { loaded, failed } = await load(new CheckpointRegistry(), inputs);
    expect(failed).toEqual([]);
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({
      name: 'model',
      layout: 'sharded',
      tensorCount: 3,
      parameterCount: 12 + 3 + 6,
      architecture: 'TinyViT',
    });
    expect(loaded[0]!.files.length).toBe(files.size - 2);
  });

  it('treats a folder of model folders as several HF checkpoints', async () => {
    const shards = await sharded();
    const inputs: CheckpointInput[] = [
      {
        kind: 'folderFiles',
        name: 'zoo',
        files: [
          { path: 'base/model.safetensors', file: toFile(bytesOf(2), 'model.safetensors') },
          ...[...shards].map(([name, bytes]) => ({
            path: `task/${name}`,
            file: toFile(bytes, name),
          })),
          { path: 'README.md', file: new File(['hi'], 'README.md') },
        ],
      },
    ];
    const { loaded, failed } = await load(new CheckpointRegistry(), inputs);
    expect(failed).toEqual([]);
    expect(loaded.map((s) => [s.name, s.layout])).toEqual([
      ['zoo/base', 'hf-folder'],
      ['zoo/task', 'hf-folder'],
    ]);
  });

  it('gives clashing names a suffix so rows and messages stay distinguishable', async () => {
    const registry = new CheckpointRegistry();
    await load(registry, [file('a.safetensors', bytesOf(2))]);
    const { loaded } = await load(registry, [file('a.safetensors', bytesOf(2))]);
    expect(loaded[0]!.name).toBe('a.safetensors (2)');
  });
});

describe('checkCompatibility (worker)', () => {
  it('allows differing heads under the filter and lists them as errors without it', async () => {
    const registry = new CheckpointRegistry();
    const { loaded } = await load(registry, [
      file('base.safetensors', bytesOf(10)),
      file('task.safetensors', bytesOf(2)),
    ]);
    const ids = loaded.map((s) => s.id);
    const withFilter = checkCompatibility(registry, { ids, baseId: ids[0]!, taskFilter: 'heads.' });
    expect(withFilter).toMatchObject({ compatible: true, errorCount: 0, mergedTensorCount: 2 });
    expect(withFilter.taskSpecific).toEqual(['heads.cls']);
    expect(withFilter.issues).toEqual([]);

    const without = checkCompatibility(registry, { ids, baseId: ids[0]!, taskFilter: '' });
    expect(without.compatible).toBe(false);
    expect(without.issues).toHaveLength(1);
    expect(without.issues[0]).toMatchObject({
      checkpointName: 'task.safetensors',
      checkpointId: ids[1],
      severity: 'error',
      kind: 'shape',
      tensor: 'heads.cls',
    });
    expect(without.issues[0]!.message).toContain('[2, 3]');
    expect(without.issues[0]!.message).toContain('[10, 3]');
  });
});
