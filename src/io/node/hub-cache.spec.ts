/** Hugging Face hub cache snapshots: links into ../../blobs are followed, nothing else. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSafetensors, patternValues } from '../testing/corpus';
import { nodeCheckpointFolder, openCheckpointPath, symlinkRoot } from './checkpoint-folder';

let dir = '';
let snapshot = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-cache-'));
  const repo = join(dir, 'hub', 'models--org--tiny');
  snapshot = join(repo, 'snapshots', 'abc123');
  await mkdir(join(repo, 'blobs'), { recursive: true });
  await mkdir(snapshot, { recursive: true });
  const shard = (name: string) => makeValidSafetensors([{ name, dtype: 'F32', shape: [4] }]);
  await writeFile(join(repo, 'blobs', 'b1'), shard('a'));
  await writeFile(join(repo, 'blobs', 'b2'), shard('b'));
  await writeFile(
    join(repo, 'blobs', 'b3'),
    JSON.stringify({
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
    }),
  );
  await symlink('../../blobs/b1', join(snapshot, 'model-00001-of-00002.safetensors'));
  await symlink('../../blobs/b2', join(snapshot, 'model-00002-of-00002.safetensors'));
  await symlink('../../blobs/b3', join(snapshot, 'model.safetensors.index.json'));
  // A link leaving the cache root: never followed.
  await writeFile(join(dir, 'outside.json'), '{"model_type": "evil"}');
  await symlink(join(dir, 'outside.json'), join(snapshot, 'config.json'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('hub cache snapshots', () => {
  it('opens a snapshot folder whose files are symlinks into blobs/', async () => {
    const c = await openCheckpointPath(snapshot);
    expect([...c.tensors.keys()]).toEqual(['a', 'b']);
    expect(await c.readF32('b')).toEqual(patternValues('b', 4));
    // Names stay the snapshot's (errors and shard matching), not the blob hashes.
    expect(c.files.map((f) => f.name)).toEqual([
      join(snapshot, 'model-00001-of-00002.safetensors'),
      join(snapshot, 'model-00002-of-00002.safetensors'),
    ]);
    expect(c.config).toBeUndefined(); // config.json links outside the cache root
    await c.close();
  });

  it('follows links only inside the root: the repo folder of a snapshot, else the folder', async () => {
    expect(symlinkRoot(snapshot)).toBe(join(dir, 'hub', 'models--org--tiny'));
    expect(symlinkRoot(join(dir, 'plain'))).toBe(join(dir, 'plain'));
    const plain = join(dir, 'plain');
    await mkdir(plain);
    await symlink(
      join(snapshot, 'model-00001-of-00002.safetensors'),
      join(plain, 'model.safetensors'),
    );
    expect(await nodeCheckpointFolder(plain).list()).toEqual([]);
  });
});
