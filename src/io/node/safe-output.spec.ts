import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputPathError } from '../errors';
import {
  checkOutputPath,
  nodeFileSink,
  ownedTemps,
  removeOwnedTempsSync,
  stagedSinkFolder,
  uniqueTempPath,
} from './index';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'safe-output-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const text = (s: string) => new TextEncoder().encode(s);

async function writeVia(sink: Awaited<ReturnType<typeof nodeFileSink>>, s: string) {
  await sink.write(text(s));
  await sink.close();
}

describe('exclusive temporary files', () => {
  it('never writes through a link planted at the old `.partial` name or at the target', async () => {
    const victim = join(dir, 'victim.txt');
    await writeFile(victim, 'precious');
    const out = join(dir, 'linked.safetensors');
    await symlink(victim, `${out}.partial`);
    await writeVia(await nodeFileSink(out), 'merged');
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readFile(out, 'utf8')).toBe('merged');

    // A link standing at the target itself is replaced (rename), not written through.
    const out2 = join(dir, 'target-link.safetensors');
    await symlink(victim, out2);
    await writeVia(await nodeFileSink(out2), 'new');
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect((await lstat(out2)).isSymbolicLink()).toBe(false);
  });

  it('picks a fresh name beside the target for every sink and owns it until published', async () => {
    const out = join(dir, 'a.safetensors');
    expect(uniqueTempPath(out)).not.toBe(uniqueTempPath(out));
    expect(uniqueTempPath(out).startsWith(`${out}.`)).toBe(true);
    const sink = await nodeFileSink(out);
    expect(ownedTemps().filter((p) => p.startsWith(`${out}.`))).toHaveLength(1);
    await writeVia(sink, 'x');
    expect(ownedTemps().filter((p) => p.startsWith(`${out}.`))).toEqual([]);
  });

  it('removes owned temporaries synchronously (what the exit hook runs)', async () => {
    const out = join(dir, 'interrupted.safetensors');
    const sink = await nodeFileSink(out);
    await sink.write(text('half'));
    removeOwnedTempsSync();
    expect((await readdir(dir)).filter((n) => n.startsWith('interrupted'))).toEqual([]);
    await sink.abort();
  });

  it('refuses a directory where the file is meant, before creating anything', async () => {
    const out = join(dir, 'is-a-dir.safetensors');
    await mkdir(out);
    await expect(nodeFileSink(out)).rejects.toThrow(OutputPathError);
    expect((await readdir(dir)).filter((n) => n.startsWith('is-a-dir.'))).toEqual([
      'is-a-dir.safetensors',
    ]);
  });
});

describe('staged folders', () => {
  async function oldModel(folder: string) {
    await mkdir(folder, { recursive: true });
    for (const f of ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'])
      await writeFile(join(folder, f), 'old shard');
    await writeFile(join(folder, 'model.safetensors.index.json'), '{"weight_map": {}}');
  }

  it('replaces an old model as a unit with overwrite, and refuses without it', async () => {
    const out = join(dir, 'model-dir');
    await oldModel(out);
    const refused = await stagedSinkFolder(out);
    await writeVia(await refused.createSink('model.safetensors'), 'new');
    await expect(refused.commit()).rejects.toThrow(/already holds files; use --overwrite/);
    await refused.discard();
    expect((await readdir(out)).sort()).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);

    const staged = await stagedSinkFolder(out, { overwrite: true });
    await writeVia(await staged.createSink('model.safetensors'), 'new');
    // Until commit the old folder is untouched and the new files are out of sight.
    expect(await readdir(out)).not.toContain('model.safetensors');
    await staged.commit();
    expect(await readdir(out)).toEqual(['model.safetensors']);
    expect((await readdir(dir)).filter((n) => n.startsWith('model-dir.'))).toEqual([]);
  });

  it('writes into a missing or empty folder, and discard leaves nothing', async () => {
    const empty = join(dir, 'empty-dir');
    await mkdir(empty);
    const staged = await stagedSinkFolder(empty);
    await writeVia(await staged.createSink('model.safetensors'), 'x');
    await staged.commit();
    expect(await readdir(empty)).toEqual(['model.safetensors']);

    const gone = join(dir, 'never');
    const discarded = await stagedSinkFolder(gone);
    await writeVia(await discarded.createSink('model.safetensors'), 'x');
    await discarded.discard();
    expect((await readdir(dir)).filter((n) => n.startsWith('never'))).toEqual([]);
  });
});

describe('checkOutputPath', () => {
  let base = '';
  let folderInput = '';
  beforeAll(async () => {
    base = join(dir, 'base.safetensors');
    await writeFile(base, 'base');
    folderInput = join(dir, 'input-model');
    await mkdir(folderInput);
    await writeFile(join(folderInput, 'model.safetensors'), 'in');
    await symlink(base, join(dir, 'alias.safetensors'));
  });
  const check = (out: string, kind: 'file' | 'folder', overwrite = false) =>
    checkOutputPath({ out, kind, inputs: [base, folderInput], overwrite });

  it('refuses an input, a file inside an input folder, or a folder holding an input', async () => {
    await expect(check(base, 'file')).rejects.toThrow(
      `${base}: is an input of this run (${base}); refusing to overwrite it`,
    );
    await expect(check(join(dir, 'alias.safetensors'), 'file')).rejects.toThrow(
      /is an input of this run/,
    );
    const inside = join(folderInput, 'model.safetensors');
    await expect(check(inside, 'file')).rejects.toThrow(
      `${inside}: is inside the input folder ${folderInput}`,
    );
    await expect(check(folderInput, 'folder', true)).rejects.toThrow(/is an input of this run/);
    await expect(check(dir, 'folder', true)).rejects.toThrow(`${dir}: holds the input ${base}`);
  });

  it('refuses an existing directory for a file, a non-empty folder without overwrite', async () => {
    const d = join(dir, 'dir.safetensors');
    await mkdir(d);
    await expect(check(d, 'file')).rejects.toThrow(`${d}: is an existing directory`);
    const full = join(dir, 'full');
    await mkdir(full);
    await writeFile(join(full, 'model.safetensors'), 'old');
    await expect(check(full, 'folder')).rejects.toThrow(
      `${full}: already holds files (model.safetensors); use --overwrite`,
    );
    await expect(check(full, 'folder', true)).resolves.toBeUndefined();
    await writeFile(join(dir, 'plain.txt'), 'x');
    await expect(check(join(dir, 'plain.txt', 'x.safetensors'), 'file')).rejects.toThrow(
      /is not a folder/,
    );
    await expect(check(join(dir, 'new', 'deep', 'x.safetensors'), 'file')).resolves.toBe(undefined);
    expect((await readdir(dir)).includes('new')).toBe(false);
  });
});
