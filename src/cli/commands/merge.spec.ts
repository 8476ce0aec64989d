import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../io';
import { openCheckpointPath } from '../../io/node';
import { poolFiles, poolKey } from '../../merge/testing-pool';
import { makeValidSafetensors } from '../../io/testing/safetensors-builder';
import { runCli } from '../run';
import { commands } from './index';
import { parseSize, progressLine, runMerge, taskFolderName } from './merge';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Checkpoints the tests open, closed at the end (no handle is left to the garbage collector). */
const opened: Checkpoint[] = [];
async function openOutput(path: string): Promise<Checkpoint> {
  const c = await openCheckpointPath(path);
  opened.push(c);
  return c;
}
let dir = '';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

async function recipe(name: string, yaml: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, yaml);
  return path;
}

const TIES = `merge_method: ties
base_model: models/base.safetensors
models:
  - model: models/task1.safetensors
    parameters: {weight: 1, density: 0.5}
  - model: models/task2.safetensors
    parameters: {weight: 0.7, density: 0.5}
merge_studio: {task_specific: [heads.]}
`;

const CART = `merge_method: cart
base_model: models/base.safetensors
models: [{model: models/task1.safetensors}, {model: models/task2.safetensors}]
merge_studio: {task_specific: [heads.]}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'merge-cli-'));
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'models')));
  const files = poolFiles(2);
  for (let m = 0; m < files.length; m++)
    await writeFile(join(dir, 'models', `${poolKey(m)}.safetensors`), files[m]!);
});
afterAll(async () => {
  for (const c of opened) await c.close();
  await rm(dir, { recursive: true, force: true });
});

describe('merge command (in process)', () => {
  it('writes a folder with the model and merge_recipe.yml, paths relative to the recipe', async () => {
    const config = await recipe('ties.yml', TIES);
    const { io, out, err } = capture();
    const code = await runCli(
      ['merge', '--config', config, '--out', join(dir, 'out-folder'), '--device', 'cpu'],
      io,
      commands,
    );
    expect(err.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(code).toBe(0);
    expect(err[0]).toMatch(/^device: cpu \(reference backend, \d+ worker threads?\)$/);
    expect(err.at(-1)).toMatch(/^merge: 11\/11 tensor steps, .* read, .*\/s, ETA 0s$/);
    expect(out).toEqual([
      expect.stringMatching(/^wrote .*out-folder: 11 tensors \(8 merged, 3 copied\), .* on cpu$/),
    ]);
    // The model card (README.md) beside the model; the inputs are files: no side files.
    expect((await readdir(join(dir, 'out-folder'))).sort()).toEqual([
      'README.md',
      'merge_recipe.yml',
      'model.safetensors',
    ]);
    const merged = await openOutput(join(dir, 'out-folder'));
    expect(merged.metadata.merge_recipe).toBe(
      await readFile(join(dir, 'out-folder', 'merge_recipe.yml'), 'utf8'),
    );
  });

  it('shards with --shard-size and converts with --out-dtype', async () => {
    const config = await recipe('ties2.yml', TIES);
    const { io } = capture();
    const code = await runCli(
      [
        'merge',
        '--config',
        config,
        '--out',
        join(dir, 'sharded'),
        '--device',
        'cpu',
        '--shard-size',
        '300B',
        '--out-dtype',
        'float16',
      ],
      io,
      commands,
    );
    expect(code).toBe(0);
    const files = await readdir(join(dir, 'sharded'));
    expect(files).toContain('model.safetensors.index.json');
    const merged = await openOutput(join(dir, 'sharded'));
    expect(merged.files.length).toBeGreaterThan(1);
    expect(merged.tensors.get('model.layers.0.attn.weight')!.info.dtype).toBe('F16');
    expect(merged.tensors.get('heads.task1.weight')!.info.dtype).toBe('F32');
  });

  it('bad input: exit 2 with one line naming the file', async () => {
    // A pool of 1-D tensors only, for a method that needs 2-D ones.
    for (const m of [0, 1, 2]) {
      const values = [m, 1, 2, 3];
      const file = makeValidSafetensors([
        { name: 'norm.weight', shape: [4], dtype: 'F32', values },
      ]);
      await writeFile(join(dir, 'models', `flat${m}.safetensors`), file);
    }
    const cases: [string, RegExp][] = [
      [TIES.replace('ties', 'tie'), /unknown merge method "tie"; known methods: task_arithmetic/],
      [
        TIES.replace('density: 0.5}', 'density: 1.5}'),
        /bad\.yml: model "models\/task1\.safetensors": parameter "density" = 1\.5 is above the maximum 1/,
      ],
      [
        TIES.replace('task2.safetensors', 'nope.safetensors'),
        /bad\.yml: model "models\/nope\.safetensors": .*nope\.safetensors does not exist/,
      ],
      [
        TIES.replace(/merge_studio.*\n/, ''),
        /tensor heads\.task1\.weight is not in .*base.*task_specific/,
      ],
      // The catalogue's declarations: 2-D tensors, too few models, a rank fraction out of range.
      [
        `merge_method: tsv_m\nbase_model: models/flat0.safetensors\nmodels: [{model: models/flat1.safetensors}, {model: models/flat2.safetensors}]\n`,
        /flat0: tsv_m merges weight matrices through their singular vectors, but none of the 1 merged tensors is 2-D/,
      ],
      [
        `merge_method: iso_c\nbase_model: models/base.safetensors\nmodels: [{model: models/task1.safetensors}]\n`,
        /bad\.yml: iso_c needs at least 2 model\(s\) besides the base, got 1/,
      ],
      [
        `${CART}parameters: {rank_ratio: 1.5}\n`,
        /bad\.yml: parameters: parameter "rank_ratio" = 1\.5 is above the maximum 1/,
      ],
      [
        `${CART}parameters: {rank_ratio: -0.2}\n`,
        /bad\.yml: parameters: parameter "rank_ratio" = -0\.2 is below the minimum 0/,
      ],
      [
        'slices: [{sources: [{model: a, layer_range: [0, 1]}]}]\nmerge_method: slerp\n',
        /bad\.yml: slices: only passthrough \(layer stacking\) takes slices here, not slerp/,
      ],
    ];
    for (const [yaml, message] of cases) {
      const config = await recipe('bad.yml', yaml);
      const { io, err } = capture();
      const code = await runCli(
        ['merge', '--config', config, '--out', join(dir, 'never'), '--device', 'cpu'],
        io,
        commands,
      );
      expect(code).toBe(2);
      const errors = err.filter((l) => l.startsWith('error: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      await expect(stat(join(dir, 'never'))).rejects.toThrow();
    }
    const { io, err } = capture();
    expect(
      await runCli(
        ['merge', '--config', join(dir, 'ties.yml'), '--out', join(dir, 'x'), '--device', 'tpu'],
        io,
        commands,
      ),
    ).toBe(2);
    expect(err).toEqual(['error: --device: unknown device "tpu"; use webgpu or cpu']);
  });

  it('an abort removes the partial output (file and created folder)', async () => {
    const config = await recipe('ties3.yml', TIES);
    for (const out of [join(dir, 'cancelled.safetensors'), join(dir, 'cancelled-folder')]) {
      const controller = new AbortController();
      controller.abort();
      const { io, err } = capture();
      const code = await runMerge({ config, out, device: 'cpu', signal: controller.signal }, io);
      expect(code).toBe(130);
      expect(err.at(-1)).toBe('merge cancelled (aborted): partial output removed');
      expect((await readdir(dir)).filter((f) => f.startsWith('cancelled'))).toEqual([]);
    }
  });

  it("--task-models writes each task's compressed model (consensus)", async () => {
    const config = await recipe(
      'tall.yml',
      'merge_method: consensus\nbase_model: models/base.safetensors\nmodels: [models/task1.safetensors, models/task2.safetensors]\nmerge_studio: {task_specific: [heads.]}\n',
    );
    const { io, err } = capture();
    const args = ['merge', '--config', config, '--out', join(dir, 'tall'), '--device', 'cpu'];
    const code = await runCli([...args, '--task-models', join(dir, 'tall-tasks')], io, commands);
    expect(err.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(code).toBe(0);
    expect((await readdir(join(dir, 'tall-tasks'))).sort()).toEqual(['task1', 'task2']);
    const t1 = await openOutput(join(dir, 'tall-tasks', 'task1'));
    expect(t1.tensors.has('heads.task1.weight')).toBe(true);
    expect(t1.tensors.has('heads.task2.weight')).toBe(false);
    expect(taskFolderName('models/a b.safetensors')).toBe('a_b');
    const again = capture();
    expect(
      await runCli(
        [
          'merge',
          '--config',
          join(dir, 'ties.yml'),
          '--out',
          join(dir, 'n'),
          '--task-models',
          join(dir, 'n2'),
        ],
        again.io,
        commands,
      ),
    ).toBe(2);
    expect(again.err).toEqual(['error: --task-models needs merge_method: consensus (got ties)']);
  });

  it('parses shard sizes', () => {
    expect(parseSize('5GB')).toBe(5e9);
    expect(parseSize('500 MB')).toBe(5e8);
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('1.5k')).toBe(1500);
    expect(() => parseSize('lots')).toThrow(/--shard-size: cannot read "lots"/);
  });
});

describe('merge command (spawned)', () => {
  it('runs the real CLI end to end and exits 2 on a bad recipe', async () => {
    const spawn = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        execFile(
          TSX,
          ['src/cli/main.ts', ...args],
          { cwd: process.cwd() },
          (error, stdout, stderr) =>
            done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const config = await recipe('spawn.yml', TIES);
    const ok = await spawn([
      'merge',
      '--config',
      config,
      '--out',
      join(dir, 'spawned.safetensors'),
      '--device',
      'cpu',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/wrote .*spawned\.safetensors: 11 tensors/);
    const merged = await openOutput(join(dir, 'spawned.safetensors'));
    const inProcess = await openOutput(join(dir, 'out-folder'));
    expect(await merged.readRaw('model.layers.1.attn.weight')).toEqual(
      await inProcess.readRaw('model.layers.1.attn.weight'),
    );
    const bad = await spawn([
      'merge',
      '--config',
      join(dir, 'missing.yml'),
      '--out',
      join(dir, 'z'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: .*missing\.yml: no such file or directory$/),
    ]);
  });
});

describe('merge progress line', () => {
  it('gives an ETA only once a tenth of the steps is done', () => {
    const at = (done: number) =>
      progressLine({ status: 'progress', task: 'merge', done, total: 78, eta: 551 });
    expect(at(1)).toBe('merge: 1/78 tensor steps');
    expect(at(8)).toBe('merge: 8/78 tensor steps, ETA 9m11s');
  });
});
