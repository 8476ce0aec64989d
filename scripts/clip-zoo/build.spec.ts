/**
 * The smoke build end to end: twice from the same seed (byte-identical zoos), `--resume` on a
 * finished zoo (nothing rebuilt), and the folders read by src/eval/clip and the CLI `eval`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClipModel } from '../../src/eval/clip/index';
import { openCheckpointPath } from '../../src/io/node';
import { buildClipZoo } from './build';
import { zooPlan } from './config';

const run = promisify(execFile);

/** Build-specific files: stage markers and wall times. Everything else must be reproducible. */
const VOLATILE = (path: string) => path.startsWith('.build') || path === 'build-times.json';

async function files(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(root, path)));
    else out.push(relative(root, path));
  }
  return out.sort();
}

describe('zoo:clip --scale smoke', () => {
  let root: string;
  let a: string;
  let b: string;
  const quiet = () => {};

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'clip-zoo-'));
    a = join(root, 'a');
    b = join(root, 'b');
    await buildClipZoo({ out: a, seed: 5, resume: false, scale: 'smoke', log: quiet });
    // The second build runs its fine-tunes in two child processes: the bytes must not change.
    await buildClipZoo({ out: b, seed: 5, resume: false, scale: 'smoke', log: quiet, jobs: 2 });
  }, 300_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the same bytes twice from the same seed', async () => {
    const listA = (await files(a)).filter((f) => !VOLATILE(f));
    const listB = (await files(b)).filter((f) => !VOLATILE(f));
    expect(listA).toEqual(listB);
    expect(listA.length).toBeGreaterThan(8 * 20);
    for (const f of listA) {
      const same = (await readFile(join(a, f))).equals(await readFile(join(b, f)));
      expect(same, f).toBe(true);
    }
  });

  it('skips every finished stage with --resume and leaves the zoo unchanged', async () => {
    const lines: string[] = [];
    const before = (await stat(join(a, 'clip-base', 'model.safetensors'))).mtimeMs;
    await buildClipZoo({
      out: a,
      seed: 5,
      resume: true,
      scale: 'smoke',
      log: (l) => lines.push(l),
    });
    expect(lines.filter((l) => l.includes('skipped'))).toHaveLength(10);
    expect((await stat(join(a, 'clip-base', 'model.safetensors'))).mtimeMs).toBe(before);
  }, 120_000);

  it('writes a CLIPModel base and CLIPVisionModel fine-tunes that readClipModel accepts', async () => {
    const manifest = JSON.parse(await readFile(join(a, 'manifest.json'), 'utf8')) as {
      tasks: { name: string; folder: string; classNames: string[]; licence: string }[];
    };
    expect(manifest.tasks).toHaveLength(8);
    expect(manifest.tasks.find((t) => t.name === 'mnist')?.licence).toBe('CC BY-SA 3.0');
    const base = await openCheckpointPath(join(a, 'clip-base'));
    const model = await readClipModel(base, undefined, { text: true });
    expect(model.config.variant).toBe('CLIPModel');
    expect(model.text?.has('text_projection.weight')).toBe(true);
    for (const t of manifest.tasks) {
      const tuned = await openCheckpointPath(join(a, t.folder));
      const m = await readClipModel(tuned, base);
      expect(m.config.variant).toBe('CLIPVisionModel');
      expect(m.from.projection).not.toBe(m.from.vision);
      const classes = await readdir(join(a, 'data', t.name));
      expect(classes.sort()).toEqual([...t.classNames].sort());
      await tuned.close();
    }
    await base.close();
  }, 60_000);

  it('is evaluated by the CLI `eval` on its own test sets', async () => {
    const { stdout } = await run(
      'npx',
      [
        'tsx',
        'src/cli/main.ts',
        'eval',
        '--model',
        join(a, 'clip-shapes'),
        '--clip',
        join(a, 'clip-base'),
        '--task',
        `shapes=${join(a, 'data', 'shapes')}`,
        '--task',
        `compass=${join(a, 'data', 'compass')}`,
        '--json',
        '--device',
        'cpu',
      ],
      { cwd: join(import.meta.dirname, '..', '..') },
    );
    const json = JSON.parse(stdout) as { tasks: Record<string, { accuracy: number; n: number }> };
    const n = zooPlan('smoke').testPerTask;
    for (const task of ['shapes', 'compass']) {
      expect(json.tasks[task]?.n).toBe(n);
      expect(json.tasks[task]?.accuracy).toBeGreaterThanOrEqual(0);
      expect(json.tasks[task]?.accuracy).toBeLessThanOrEqual(1);
    }
  }, 120_000);
});
