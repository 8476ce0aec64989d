import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticZoo } from '../../zoo/testing/synthetic-zoo';
import { paramsFromBytes, paramsToBytes } from '../../merge';
import { runCli } from '../run';
import { commands } from './index';

let dir = '';
const zoo = syntheticZoo({ tasks: 2, images: 24 });

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

beforeAll(async () => {
  // The synthetic zoo on disk, in the layout `loadZoo` reads.
  dir = await mkdtemp(join(tmpdir(), 'adamerge-cli-'));
  await mkdir(join(dir, 'test'));
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(zoo.manifest));
  await writeFile(join(dir, 'base.safetensors'), await paramsToBytes(zoo.base));
  for (const task of zoo.manifest.tasks) {
    await writeFile(
      join(dir, task.checkpoint),
      await paramsToBytes(zoo.checkpoints.get(task.name)!),
    );
    const set = zoo.testSets.get(task.name)!;
    const bytes = new Uint8Array(set.pixels.length + set.count);
    bytes.set(set.pixels);
    bytes.set(set.labels, set.pixels.length);
    await writeFile(join(dir, task.test.file), bytes);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cli adamerge', () => {
  it('runs, prints the per-task table and λ, and writes a checkpoint carrying λ', async () => {
    const { io, out, err } = capture();
    const file = join(dir, 'merged.safetensors');
    const code = await runCli(
      [
        'adamerge',
        '--pool',
        join(dir, 'manifest.json'),
        '--mode',
        'task',
        '--steps',
        '3',
        '--log-every',
        '1',
        '--device',
        'cpu',
        '--out',
        file,
      ],
      io,
      commands,
    );
    expect(code).toBe(0);
    expect(err.filter((l) => l.startsWith('step '))).toHaveLength(3);
    expect(out[0]).toMatch(/^method\s+task0\s+task1\s+avg$/);
    expect(out.some((l) => l.startsWith('AdaMerging task-wise'))).toBe(true);
    expect(out.some((l) => l.startsWith('task arithmetic (λ=0.3)'))).toBe(true);
    const merged = await paramsFromBytes(new Uint8Array(await readFile(file)), file);
    // Encoder + both heads.
    expect(merged.size).toBe(zoo.base.size + 4);
    const bytes = new Uint8Array(await readFile(file));
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    const lambdas = JSON.parse(header.__metadata__.merge_studio_lambdas);
    expect(lambdas.tasks).toEqual(['task0', 'task1']);
    expect(lambdas.lambdas).toHaveLength(2);
    expect(header.__metadata__.merge_studio_recipe).toMatch(/merge_method: task_arithmetic/);
  });

  it('rejects a missing --mode and a bad --batches with a usage error (exit 2)', async () => {
    for (const args of [
      ['--pool', join(dir, 'manifest.json')],
      ['--pool', join(dir, 'manifest.json'), '--mode', 'layer', '--batches', '3'],
    ]) {
      const { io, err } = capture();
      expect(await runCli(['adamerge', ...args], io, commands)).toBe(2);
      expect(err.join('\n')).toMatch(/--mode|--batches/);
    }
  });
});

describe('adamerge --out safety', () => {
  it('refuses an output inside the pool before any training, leaving the pool untouched', async () => {
    const target = join(dir, 'base.safetensors');
    const before = await readFile(target);
    const { io, err } = capture();
    const code = await runCli(
      ['adamerge', '--pool', dir, '--mode', 'task', '--steps', '1', '--out', target],
      io,
      commands,
    );
    expect(code).toBe(2);
    expect(err).toEqual([
      `error: ${target}: is inside the input folder ${dir}; refusing to write there`,
    ]);
    expect(await readFile(target)).toEqual(before);
  });
});
