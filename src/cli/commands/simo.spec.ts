import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../../core';
import { paramsToBytes } from '../../merge';
import type { SimoManifest } from '../../models';
import { tinyDenseConfig, tinySimoManifest, tinySimoPoolParams } from '../../models/testing';
import { CliUsageError } from '../types';
import { simoCommand } from './simo';

const config = tinyDenseConfig(8);
let dir = '';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

async function writePool(
  name: string,
  edit: (m: SimoManifest) => void = () => {},
): Promise<string> {
  const manifest = tinySimoManifest(config);
  edit(manifest);
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(manifest));
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simo-'));
  const files: Record<string, Params> = tinySimoPoolParams(config);
  const badSeg = new Map(files.seg);
  badSeg.set('decoders.seg.fc2.weight', { shape: [8, 16], data: new Float32Array(128) });
  files['bad-seg'] = badSeg;
  for (const [name, p] of Object.entries(files))
    await writeFile(join(dir, `${name}.safetensors`), await paramsToBytes(p));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('simo command (a tiny in-memory pool)', () => {
  it('prints the ΔMTL table: single-task (0), joint, the merge and both fixes', async () => {
    const { io, out } = capture();
    const code = await simoCommand.run(
      [
        '--pool',
        await writePool('good'),
        '--method',
        'ties',
        '--steps',
        '4',
        '--val',
        '0.1',
        '--device',
        'cpu',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /^model +seg mIoU +seg pixAcc +depth absRel +depth rmse +normals angle° +ΔMTL %$/,
    );
    expect(out.slice(1, 6).map((l) => l.split(/ {2,}/)[0])).toEqual([
      'single-task',
      'joint multi-task',
      'TIES (density 0.2, λ=1)',
      '+ head re-align',
      '+ representation re-align',
    ]);
    expect(out[1]).toMatch(/ 0\.0$/);
  });

  it('--json: rows with metrics and a ΔMTL that deltaMtl would give (single = 0)', async () => {
    const { io, out } = capture();
    await simoCommand.run(
      [
        '--pool',
        await writePool('json'),
        '--method',
        'task_arithmetic',
        '--fix',
        'heads',
        '--steps',
        '2',
        '--json',
      ],
      io,
    );
    const r = JSON.parse(out[0]!) as {
      rows: { name: string; delta: number; perTask: Record<string, number> }[];
    };
    expect(r.rows.map((x) => x.name)).toEqual([
      'single-task',
      'joint multi-task',
      'task arithmetic (λ=0.3)',
      '+ head re-align',
    ]);
    expect(r.rows[0]!.delta).toBe(0);
    for (const row of r.rows) {
      const mean = Object.values(row.perTask).reduce((a, b) => a + b, 0) / 3;
      expect(row.delta).toBeCloseTo(mean, 9);
    }
  });

  it('bad input: a fine-tune without its decoder, a decoder of the wrong shape, 0 validation images', async () => {
    const run = async (pool: string, extra: string[] = []) =>
      simoCommand.run(['--pool', pool, '--method', 'ties', ...extra], capture().io);
    await expect(
      run(await writePool('nodec', (m) => (m.singles.seg = 'base.safetensors'))),
    ).rejects.toThrow(
      new CliUsageError(
        'base.safetensors: no decoder for task "seg" (no decoders.seg.* tensors); a SIMO pool needs each task\'s decoder',
      ),
    );
    await expect(
      run(await writePool('shape', (m) => (m.singles.seg = 'bad-seg.safetensors'))),
    ).rejects.toThrow(
      'bad-seg.safetensors: tensor decoders.seg.fc2.weight has shape [8,16], the config expects [8,80]',
    );
    await expect(run(await writePool('val0'), ['--val', '0'])).rejects.toThrow(
      /the validation set has 0 images/,
    );
    await expect(run(await writePool('nomethod'), ['--method', 'dare'])).rejects.toThrow(
      'simo needs --method ties or --method task_arithmetic',
    );
    await expect(
      run(await writePool('nojoint', (m) => delete (m as Partial<SimoManifest>).joint)),
    ).rejects.toThrow(/nojoint\.json: joint \(the multi-task baseline file\) is missing/);
  });
});

const DEMO_POOL = 'public/simo/manifest.json';
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

describe.skipIf(!existsSync(DEMO_POOL))('simo CLI on the committed demo pool (spawned)', () => {
  it('prints the table for TIES with both fixes (few steps, few test scenes)', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        TSX,
        [
          'src/cli/main.ts',
          'simo',
          '--pool',
          DEMO_POOL,
          '--method',
          'ties',
          '--fix',
          'both',
          '--steps',
          '5',
          '--limit',
          '8',
        ],
        { cwd: process.cwd() },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(r.stderr).toMatch(/simo: seg, depth, normals; TIES/);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^model .*ΔMTL %$/);
    expect(lines.slice(1, 6).map((l) => l.split(/ {2,}/)[0])).toEqual([
      'single-task',
      'joint multi-task',
      'TIES (density 0.2, λ=1)',
      '+ head re-align',
      '+ representation re-align',
    ]);
  }, 120_000);
});
