import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsWriter } from '../safetensors-writer';
import { writeSharded } from '../sharded-writer';
import { encodeValues, makeValidSafetensors, patternValues } from '../testing/corpus';
import { nodeFileSink, nodeFileSource, nodeSinkFolder, openCheckpointPath } from './index';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'io-node-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('node file I/O', () => {
  it('reads byte ranges of a file', async () => {
    const path = join(dir, 'bytes.bin');
    await writeFile(
      path,
      Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff),
    );
    const src = await nodeFileSource(path);
    expect(src.size).toBe(1000);
    expect([...(await src.read(254, 259))]).toEqual([254, 255, 0, 1, 2]);
    await expect(src.read(990, 1001)).rejects.toThrow('outside the file (1000 bytes)');
    // readInto fills a caller's buffer (a view into a larger one) with the same bytes.
    const big = new Uint8Array(16).fill(7);
    await src.readInto!(254, big.subarray(4, 9));
    expect([...big.subarray(3, 10)]).toEqual([7, 254, 255, 0, 1, 2, 7]);
    await expect(src.readInto!(995, new Uint8Array(6))).rejects.toThrow(
      'outside the file (1000 bytes)',
    );
    await src.close();
  });

  it('publishes a file only on close, and leaves nothing on abort', async () => {
    const path = join(dir, 'out.safetensors');
    const sink = await nodeFileSink(path);
    const writer = new SafetensorsWriter(sink, [{ name: 'w', dtype: 'F32', shape: [2] }]);
    await writer.writeTensor('w', encodeValues('F32', [1, 2]));
    const partial = /^out\.safetensors\.[0-9a-f]{12}\.partial$/;
    expect((await readdir(dir)).filter((n) => partial.test(n))).toHaveLength(1);
    expect(await readdir(dir)).not.toContain('out.safetensors');
    await writer.finish();
    expect((await readdir(dir)).filter((n) => partial.test(n))).toEqual([]);
    const c = await openCheckpointPath(path);
    expect([...(await c.readF32('w'))]).toEqual([1, 2]);

    const aborted = new SafetensorsWriter(await nodeFileSink(join(dir, 'gone.safetensors')), [
      { name: 'w', dtype: 'F32', shape: [2] },
    ]);
    await expect(aborted.writeTensor('w', new Uint8Array(3))).rejects.toThrow('needs 8');
    expect((await readdir(dir)).filter((n) => n.startsWith('gone'))).toEqual([]);
  });

  it('writes a sharded folder that opens by folder path and by index path', async () => {
    const out = join(dir, 'sharded');
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
    const specs = [
      { name: 'a', dtype: 'F32' as const, shape: [8] },
      { name: 'b', dtype: 'F32' as const, shape: [8] },
    ];
    const writer = writeSharded(nodeSinkFolder(out), specs, { maxShardBytes: 40 });
    for (const s of specs)
      await writer.writeTensor(s.name, encodeValues('F32', patternValues(s.name, 8)));
    await writer.finish();
    expect((await readdir(out)).sort()).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);
    for (const path of [out, join(out, 'model.safetensors.index.json')]) {
      const c = await openCheckpointPath(path);
      expect(c.name).toBe('sharded');
      expect(await c.readF32('b')).toEqual(patternValues('b', 8));
    }
  });

  it('names the file in errors from disk', async () => {
    const path = join(dir, 'trunc.safetensors');
    await writeFile(
      path,
      makeValidSafetensors([{ name: 'w', dtype: 'F32', shape: [4] }]).slice(0, -1),
    );
    await expect(openCheckpointPath(path)).rejects.toThrow(
      `${path}: w: data_offsets [0, 16] reach past the end`,
    );
  });
});
