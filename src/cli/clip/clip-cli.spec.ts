/**
 * The CLIP commands end to end on a generated tiny CLIP pool in HF layouts (base CLIPModel,
 * CLIPVisionModel fine-tunes, ImageFolder test sets, the project's own tokenizer): heads saved
 * and re-read give the same accuracy as heads built in place, bad inputs exit 2 with one line,
 * and an AdaMerging export re-runs through the merge engine to the same tensors, which equal
 * θ₀ + Σλτ computed here from the files.
 */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDataFolder, openCheckpointPath } from '../../io/node';
import { readImageFolder } from '../../data';
import { hfParquetBytes } from '../../data/testing/hf-parquet';
import { writeTinyClipPool } from '../../eval/testing/clip-tiny-pool';
import type { WrittenPool } from '../../eval/testing/clip-write-pool';
import type { NamedArray, Params } from '../../core';
import { taskVectors, tiesSelectedTaskVectors } from '../../merge';
import { commands } from '../commands';
import { runCli } from '../run';

let dir = '';
let pool: WrittenPool;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

async function cli(...args: string[]) {
  const c = capture();
  const code = await runCli(args, c.io, commands);
  return { code, out: c.out, err: c.err };
}

const TASKS = [
  { name: 'eurosat', classNames: ['forest', 'river', 'highway'], perClass: 3 },
  { name: 'shapes', classNames: ['circle', 'square'], perClass: 4 },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clip-cli-'));
  pool = await writeTinyClipPool(dir, TASKS, { scale: 4 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const taskArgs = () => TASKS.flatMap((t) => ['--task', `${t.name}=${pool.data.get(t.name)}`]);
/** adamerge's base, every fine-tune and every task's data. */
const adamergeInputs = () => [
  '--base',
  pool.base,
  ...TASKS.flatMap((t) => ['--finetune', `${t.name}=${pool.finetunes.get(t.name)}`]),
  ...taskArgs(),
];

/**
 * Weight files this process holds open (Linux; the specs run in forks, one file at a time).
 * Only safetensors: Node's first worker thread (the export's CPU merge) opens pipes and sockets
 * that stay for the process's life.
 */
const openFds = () =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).endsWith('.safetensors');
    } catch {
      return false; // the directory listing's own descriptor, closed by now
    }
  }).length;

describe('CLIP commands on a tiny generated pool', () => {
  it.runIf(existsSync('/proc/self/fd'))(
    'eval, heads and adamerge close the checkpoint files they read (not left to the garbage collector)',
    async () => {
      const tuned = pool.finetunes.get('eurosat')!;
      const before = openFds();
      const evaluated = await cli(
        'eval',
        '--model',
        tuned,
        '--clip',
        pool.base,
        ...taskArgs(),
        '--json',
        '--device',
        'cpu',
      );
      expect(evaluated.code, evaluated.err.join('\n')).toBe(0);
      expect(openFds(), 'descriptors left open by eval').toBe(before);
      const heads = await cli(
        'heads',
        '--clip',
        pool.base,
        ...taskArgs(),
        '--out',
        join(dir, 'heads-fd.safetensors'),
        '--device',
        'cpu',
      );
      expect(heads.code, heads.err.join('\n')).toBe(0);
      expect(openFds(), 'descriptors left open by heads').toBe(before);
      const adamerged = await cli(
        'adamerge',
        ...adamergeInputs(),
        '--mode',
        'task',
        '--steps',
        '1',
        '--batch',
        '2',
        '--out',
        join(dir, 'ada-fd'),
        '--device',
        'cpu',
      );
      expect(adamerged.code, adamerged.err.join('\n')).toBe(0);
      expect(openFds(), 'weight files left open by adamerge --out').toBe(before);
    },
  );

  it('eval --json: saved heads give the same accuracies as heads built from class names', async () => {
    const heads = join(dir, 'heads.safetensors');
    const made = await cli(
      'heads',
      '--clip',
      pool.base,
      ...taskArgs(),
      '--out',
      heads,
      '--device',
      'cpu',
    );
    expect(made.code).toBe(0);
    expect(made.out.join('\n')).toMatch(/eurosat \[3, 16\], shapes \[2, 16\]/);
    const built = await cli(
      'eval',
      '--model',
      pool.base,
      ...taskArgs(),
      '--json',
      '--device',
      'cpu',
    );
    const read = await cli(
      'eval',
      '--model',
      pool.base,
      ...taskArgs(),
      '--heads',
      heads,
      '--json',
      '--device',
      'cpu',
    );
    expect(built.code).toBe(0);
    expect(read.code).toBe(0);
    const a = JSON.parse(built.out[0]!) as {
      tasks: Record<string, { accuracy: number; n: number }>;
    };
    expect(a.tasks.eurosat!.n).toBe(9);
    expect(a.tasks.shapes!.n).toBe(8);
    expect(JSON.parse(read.out[0]!)).toEqual(a);
  });

  it('the same images as an HF datasets Parquet file score exactly as the ImageFolder does', async () => {
    const folder = pool.data.get('eurosat')!;
    const dataset = await readImageFolder(nodeDataFolder(folder));
    const rows = await Promise.all(
      dataset.items.map(async (item) => ({
        bytes: new Uint8Array(await readFile(join(folder, item.path))),
        path: item.path,
        label: item.label,
      })),
    );
    const parquet = join(dir, 'eurosat-test.parquet');
    await writeFile(parquet, hfParquetBytes(rows, { names: dataset.classNames!, rowGroupSize: 4 }));
    const fromFolder = await cli(
      'eval',
      '--model',
      pool.base,
      '--task',
      `eurosat=${folder}`,
      '--json',
      '--device',
      'cpu',
    );
    const fromParquet = await cli(
      'eval',
      '--model',
      pool.base,
      '--task',
      `eurosat=${parquet}`,
      '--json',
      '--device',
      'cpu',
    );
    expect(fromParquet.code, fromParquet.err.join('\n')).toBe(0);
    expect(JSON.parse(fromParquet.out[0]!)).toEqual(JSON.parse(fromFolder.out[0]!));
  });

  it('a vision tower without projection needs --clip; with it the fine-tune scores', async () => {
    const tuned = pool.finetunes.get('eurosat')!;
    const alone = await cli('eval', '--model', tuned, ...taskArgs(), '--device', 'cpu');
    expect(alone.code).toBe(2);
    expect(alone.err).toHaveLength(1);
    expect(alone.err[0]).toMatch(/clip-eurosat: has no visual_projection\.weight .*--clip/);
    const withBase = await cli(
      'eval',
      '--model',
      tuned,
      '--clip',
      pool.base,
      ...taskArgs(),
      '--device',
      'cpu',
    );
    expect(withBase.code).toBe(0);
    expect(withBase.out[0]).toMatch(/eurosat\s+shapes\s+avg/);
  });

  it('a broken image is named and skipped; the rest are scored', async () => {
    const folder = join(dir, 'broken');
    await mkdir(join(folder, 'a'), { recursive: true });
    await mkdir(join(folder, 'b'), { recursive: true });
    const good = await readFile(join(pool.data.get('shapes')!, 'circle', '0000.png'));
    await writeFile(join(folder, 'a', '1.png'), good);
    await writeFile(join(folder, 'b', '1.png'), good);
    await writeFile(join(folder, 'b', '2.png'), 'not a png');
    const r = await cli(
      'eval',
      '--model',
      pool.base,
      '--task',
      `t=${folder}`,
      '--json',
      '--device',
      'cpu',
    );
    expect(r.code).toBe(0);
    expect(r.err.some((l) => /skipped b\/2\.png: .*PNG/.test(l))).toBe(true);
    expect((JSON.parse(r.out[0]!) as { tasks: { t: { n: number } } }).tasks.t.n).toBe(2);
  });

  it('bad inputs: exit 2 and one line naming the problem', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    const none = await cli('eval', '--model', pool.base, '--task', `t=${empty}`, '--device', 'cpu');
    expect(none.code).toBe(2);
    expect(none.err).toHaveLength(1);
    expect(none.err[0]).toMatch(/empty/);

    const heads = join(dir, 'two.safetensors');
    await cli(
      'heads',
      '--clip',
      pool.base,
      '--classes',
      'eurosat=a,b',
      '--out',
      heads,
      '--device',
      'cpu',
    );
    const mismatch = await cli(
      'eval',
      '--model',
      pool.base,
      '--task',
      `eurosat=${pool.data.get('eurosat')}`,
      '--heads',
      heads,
      '--device',
      'cpu',
    );
    expect(mismatch.code).toBe(2);
    expect(mismatch.err[0]).toMatch(/head "eurosat" has 2 classes, the task's data 3/);

    const unpaired = await cli(
      'adamerge',
      '--base',
      pool.base,
      '--finetune',
      `eurosat=${pool.finetunes.get('eurosat')}`,
      '--mode',
      'task',
    );
    expect(unpaired.code).toBe(2);
    expect(unpaired.err[0]).toMatch(/--finetune eurosat: no --task eurosat=<data>/);
  });

  it('adamerge --out: the recipe re-runs to the same tensors, which are θ₀ + Σλτ', async () => {
    const out = join(dir, 'ada');
    const r = await cli(
      'adamerge',
      ...adamergeInputs(),
      '--mode',
      'layer',
      '--steps',
      '3',
      '--batch',
      '4',
      '--lr',
      '0.05',
      '--out',
      out,
      '--device',
      'cpu',
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(
      /zero-shot \(base\)[\s\S]*task arithmetic \(λ=0\.3\)[\s\S]*AdaMerging layer-wise/,
    );
    const recipe = await readFile(join(out, 'mergekit_config.yml'), 'utf8');
    expect(recipe).toMatch(/merge_method: task_arithmetic/);
    const again = join(dir, 'again');
    const rerun = await cli(
      'merge',
      '--config',
      join(out, 'mergekit_config.yml'),
      '--out',
      again,
      '--device',
      'cpu',
    );
    expect(rerun.code, rerun.err.join(' | ')).toBe(0);
    // Same tensors, byte for byte (the header's metadata records the recipe's own paths).
    const [first, second] = await Promise.all([openCheckpointPath(out), openCheckpointPath(again)]);
    expect([...second.tensors.keys()]).toEqual([...first.tensors.keys()]);
    for (const name of first.tensors.keys()) {
      const [a, b] = await Promise.all([first.readRaw(name), second.readRaw(name)]);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), name).toBe(0);
    }

    // θ₀ + Σ λ·τ from the recipe's own λ, computed here from the checkpoint files.
    const name = 'vision_model.encoder.layers.1.mlp.fc2.weight';
    const lambdaOf = (task: string) => {
      const block = recipe.split('- model: ').find((b) => b.includes(`clip-${task}`))!;
      const m = new RegExp(`filter: ${name.replace(/\./g, '\\.')}\\s+value: ([-\\d.e]+)`).exec(
        block,
      );
      return Number(m![1]);
    };
    const base = await openCheckpointPath(pool.base);
    const merged = await openCheckpointPath(out);
    const expected = Float64Array.from(await base.readF32(name));
    const theta0 = await base.readF32(name);
    for (const t of TASKS) {
      const tuned = await (await openCheckpointPath(pool.finetunes.get(t.name)!)).readF32(name);
      const l = lambdaOf(t.name);
      for (let i = 0; i < expected.length; i++) expected[i]! += l * (tuned[i]! - theta0[i]!);
    }
    const got = await merged.readF32(name);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-6);
    // The side files make the folder a loadable CLIPModel checkpoint.
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as {
      model_type: string;
    };
    expect(config.model_type).toBe('clip');
    const reread = await cli(
      'eval',
      '--model',
      out,
      '--task',
      `shapes=${pool.data.get('shapes')}`,
      '--device',
      'cpu',
    );
    expect(reread.code, reread.err.join(' | ')).toBe(0);
  });

  it('adamerge --plus --out: the ++ recipe re-runs to the same tensors, θ₀ + Σλ·TIES(τ)', async () => {
    const out = join(dir, 'ada-plus');
    const r = await cli(
      'adamerge',
      ...adamergeInputs(),
      '--mode',
      'task',
      '--plus',
      '--steps',
      '3',
      '--batch',
      '4',
      '--lr',
      '0.1',
      '--out',
      out,
      '--device',
      'cpu',
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    const recipe = await readFile(join(out, 'mergekit_config.yml'), 'utf8');
    expect(recipe).toMatch(/merge_method: ties/);
    expect(recipe).toMatch(/elect: unweighted/);
    // The card carries the portable recipe (published with the weights), not the temporary one.
    const card = await readFile(join(out, 'README.md'), 'utf8');
    expect(card).toContain(recipe.trimEnd());
    expect(card).toContain('AdaMerging++');
    expect(card).not.toContain('adamerge-recipe-');
    const again = join(dir, 'again-plus');
    const rerun = await cli('merge', '--config', join(out, 'mergekit_config.yml'), '--out', again);
    expect(rerun.code, rerun.err.join(' | ')).toBe(0);
    const [first, second] = await Promise.all([openCheckpointPath(out), openCheckpointPath(again)]);
    expect([...second.tensors.keys()]).toEqual([...first.tensors.keys()]);
    for (const name of first.tensors.keys()) {
      const [a, b] = await Promise.all([first.readRaw(name), second.readRaw(name)]);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), name).toBe(0);
    }
    // θ₀ + Σ λ·selected(τ) from the files, with AdaMerging++'s own selection of the τ.
    const lambdaOf = (task: string) => {
      const block = recipe.split('- model: ').find((b) => b.includes(`clip-${task}`))!;
      return Number(/weight: ([-\d.e]+)/.exec(block)![1]);
    };
    const base = await openCheckpointPath(pool.base);
    const names = [...base.tensors.keys()].filter((n) => n.startsWith('vision_model.'));
    const read = async (path: string): Promise<Params> => {
      const c = await openCheckpointPath(path);
      return new Map(
        await Promise.all(
          names.map(async (n): Promise<[string, NamedArray]> => [
            n,
            { shape: [], data: await c.readF32(n) },
          ]),
        ),
      );
    };
    const theta0 = await read(pool.base);
    const vectors = await Promise.all(
      TASKS.map(async (t) =>
        taskVectors(theta0, await read(pool.finetunes.get(t.name)!), () => true, t.name),
      ),
    );
    const selected = tiesSelectedTaskVectors(vectors, 0.2);
    let worst = 0;
    let moved = 0;
    for (const name of names) {
      const got = await first.readF32(name);
      theta0.get(name)!.data.forEach((b, i) => {
        let want = b;
        TASKS.forEach((t, k) => (want += lambdaOf(t.name) * selected[k]!.get(name)!.data[i]!));
        worst = Math.max(worst, Math.abs(got[i]! - want));
        if (want !== b) moved++;
      });
    }
    expect(moved).toBeGreaterThan(100);
    expect(worst).toBeLessThan(1e-6);
  });

  it('merge to a folder copies the config / preprocessor / tokenizer files and writes a card', async () => {
    const [a, b] = TASKS.map((t) => pool.finetunes.get(t.name)!);
    const recipes = {
      // With a base: the base's side files (a CLIPModel folder: config, preprocessor, tokenizer).
      ties: `merge_method: ties\nbase_model: ${pool.base}\nmodels:\n  - model: ${a}\n    parameters: { weight: 1, density: 0.5 }\n  - model: ${b}\n    parameters: { weight: 1, density: 0.5 }\nparameters: { lambda: 0.3 }\nmerge_studio:\n  task_specific: [text_model., text_projection., visual_projection., logit_scale]\n`,
      // Without one: the first model's (a CLIPVisionModel folder: its config only).
      linear: `merge_method: linear\nmodels:\n  - model: ${a}\n    parameters: { weight: 0.5 }\n  - model: ${b}\n    parameters: { weight: 0.5 }\n`,
    };
    for (const [method, text] of Object.entries(recipes)) {
      const config = join(dir, `${method}.yml`);
      await writeFile(config, text);
      const out = join(dir, `merged-${method}`);
      const r = await cli('merge', '--config', config, '--out', out, '--device', 'cpu');
      expect(r.code, r.err.join(' | ')).toBe(0);
      const source = method === 'ties' ? pool.base : a!;
      for (const file of ['config.json', 'preprocessor_config.json', 'tokenizer.json']) {
        const from = await readFile(join(source, file), 'utf8').catch(() => null);
        const to = await readFile(join(out, file), 'utf8').catch(() => null);
        expect(to, `${method}: ${file}`).toBe(from);
      }
      const card = await readFile(join(out, 'README.md'), 'utf8');
      expect(card).toContain(`merge_method: ${method}`);
      expect(card).toContain(text.trimEnd());
      if (method === 'ties') expect(card).toMatch(/^---\nbase_model: "/);
    }
    // The ties folder is a loadable CLIPModel checkpoint: eval reads it (config + tokenizer).
    const reread = await cli(
      'eval',
      '--model',
      join(dir, 'merged-ties'),
      '--task',
      `shapes=${pool.data.get('shapes')}`,
      '--device',
      'cpu',
    );
    expect(reread.code, reread.err.join(' | ')).toBe(0);
  });
});
