/** `merge --out`: what may be written, refused before any work, and nothing created on refusal. */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../io';
import { openCheckpointPath } from '../../io/node';
import { poolFiles, poolKey } from '../../merge/testing-pool';
import { runCli } from '../run';
import { commands } from './index';

/** Checkpoints the tests open, closed at the end (no handle is left to the garbage collector). */
const opened: Checkpoint[] = [];
async function openOutput(path: string): Promise<Checkpoint> {
  const c = await openCheckpointPath(path);
  opened.push(c);
  return c;
}
let dir = '';
const TIES = `merge_method: ties
base_model: models/base.safetensors
models:
  - model: models/task1.safetensors
    parameters: {weight: 1, density: 0.5}
  - model: models/task2.safetensors
    parameters: {weight: 0.7, density: 0.5}
merge_studio: {task_specific: [heads.]}
`;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

async function merge(out: string, extra: string[] = [], config = join(dir, 'ties.yml')) {
  const { io, err } = capture();
  const code = await runCli(
    ['merge', '--config', config, '--out', out, '--device', 'cpu', ...extra],
    io,
    commands,
  );
  return { code, errors: err.filter((l) => l.startsWith('error')), err };
}

/** Every entry below `root`, recursively (to see that nothing new appeared). */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'merge-out-'));
  await mkdir(join(dir, 'models'));
  const files = poolFiles(2);
  for (let m = 0; m < files.length; m++)
    await writeFile(join(dir, 'models', `${poolKey(m)}.safetensors`), files[m]!);
  await writeFile(join(dir, 'ties.yml'), TIES);
});
afterAll(async () => {
  for (const c of opened) await c.close();
  await rm(dir, { recursive: true, force: true });
});

describe('merge --out safety', () => {
  it('refuses an input as the output before any work, naming both paths', async () => {
    const base = join(dir, 'models', 'base.safetensors');
    const before = await readFile(base);
    const r = await merge(base);
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      `error: ${base}: is an input of this run (${base}); refusing to overwrite it`,
    ]);
    expect(r.err.some((l) => l.startsWith('device:'))).toBe(false); // no backend was started
    expect(await readFile(base)).toEqual(before);
    const inside = await merge(join(dir, 'models'));
    expect(inside.errors[0]).toMatch(/models: holds the input .*base\.safetensors/);
    const recipe = await merge(join(dir, 'ties.yml', '..', 'ties.yml'));
    expect(recipe.code).toBe(2);
  });

  it('refuses an existing directory where a file is meant, leaving nothing behind', async () => {
    const out = join(dir, 'taken.safetensors');
    await mkdir(out);
    const before = await tree(dir);
    const r = await merge(out);
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      `error: ${out}: is an existing directory; a .safetensors file is meant`,
    ]);
    expect(await tree(dir)).toEqual(before);
  });

  it('never mixes two models in a folder: refused, or replaced whole with --overwrite', async () => {
    const out = join(dir, 'old-model');
    await mkdir(out);
    const stale = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    for (const f of stale) await writeFile(join(out, f), 'stale');
    await writeFile(join(out, 'model.safetensors.index.json'), '{"weight_map": {}}');
    const refused = await merge(out);
    expect(refused.code).toBe(2);
    expect(refused.errors[0]).toMatch(/old-model: already holds files .*use --overwrite/);
    const replaced = await merge(out, ['--overwrite']);
    expect(replaced.errors).toEqual([]);
    expect(replaced.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'README.md',
      'merge_recipe.yml',
      'model.safetensors',
    ]);
    expect((await openOutput(out)).tensors.size).toBe(11);
    expect((await readdir(dir)).filter((n) => n.includes('.partial'))).toEqual([]);
  });

  it('validates every flag and the recipe before creating any folder', async () => {
    const before = await tree(dir);
    const out = join(dir, 'deep', 'new', 'folder');
    const cases: [string[], RegExp][] = [
      [['--out-dtype', 'float8'], /--out-dtype/],
      [['--out-dtype', 'constructor'], /--out-dtype: unknown dtype "constructor"/],
      [['--shard-size', '5constructor'], /--shard-size/],
      [['--shard-size', 'lots'], /--shard-size/],
      [['--device', 'tpu'], /--device: unknown device "tpu"/],
    ];
    for (const [extra, message] of cases) {
      const { io, err } = capture();
      const args = ['merge', '--config', join(dir, 'ties.yml'), '--out', out, ...extra];
      expect(await runCli(args, io, commands)).toBe(2);
      expect(err.filter((l) => l.startsWith('error'))[0]).toMatch(message);
    }
    await writeFile(join(dir, 'bad.yml'), TIES.replace('density: 0.5}', 'density: 2}'));
    expect((await merge(out, [], join(dir, 'bad.yml'))).code).toBe(2);
    await rm(join(dir, 'bad.yml'));
    expect(await tree(dir)).toEqual(before);
  });

  it('refuses to write non-finite weights: exit 2, nothing written (unless asked)', async () => {
    // Each value fits float32; their product (λ · w · δ) does not.
    const huge = TIES.replace('merge_method: ties', 'merge_method: task_arithmetic')
      .replace('weight: 1, density: 0.5', 'weight: 3e38')
      .replace(/, density: 0\.5/g, '')
      .replace('merge_studio:', 'parameters: {lambda: 3e38}\nmerge_studio:');
    await writeFile(join(dir, 'huge.yml'), huge);
    const out = join(dir, 'inf.safetensors');
    const refused = await merge(out, [], join(dir, 'huge.yml'));
    expect(refused.code).toBe(2);
    expect(refused.errors).toEqual([
      expect.stringMatching(
        /^error: the merged tensors would contain \d+ NaN\/±Inf values; nothing was written/,
      ),
    ]);
    expect((await readdir(dir)).filter((n) => n.startsWith('inf.'))).toEqual([]);
    const allowed = await merge(out, ['--allow-non-finite'], join(dir, 'huge.yml'));
    expect(allowed.code).toBe(0);
    expect(await readdir(dir)).toContain('inf.safetensors');
  });
});
