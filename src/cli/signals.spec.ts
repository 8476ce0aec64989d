/**
 * The spawned CLI, started as users start it (`npm run --silent cli -- merge …`, through npm,
 * its shell and tsx), cancelled by a signal to the whole process group, to npm only, twice,
 * or by a closed pipe: every time the run ends, no process of it is left, and its output
 * folder holds nothing (no model, no `.partial`). The merge is slowed down by the test hook
 * MERGE_STUDIO_TEST_DELAY_MS so the signal lands while it runs.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSafetensors } from '../io/testing/corpus';
import { poolFiles, poolKey } from '../merge/testing-pool';

let dir = '';
const RECIPE = `merge_method: ties
base_model: models/base.safetensors
models:
  - model: models/task1.safetensors
    parameters: {weight: 1, density: 0.5}
  - model: models/task2.safetensors
    parameters: {weight: 0.7, density: 0.5}
merge_studio: {task_specific: [heads.]}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-signals-'));
  await mkdir(join(dir, 'models'));
  const files = poolFiles(2);
  for (let m = 0; m < files.length; m++)
    await writeFile(join(dir, 'models', `${poolKey(m)}.safetensors`), files[m]!);
  await writeFile(join(dir, 'ties.yml'), RECIPE);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(test: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return test();
}

interface Run {
  stderr: string;
  /** No process of the run's group is left. */
  groupGone: boolean;
  /** Entries of the output's parent folder that belong to the output. */
  leftovers: string[];
}

/** Starts a merge in its own process group, calls `interrupt` once it runs, waits for the end. */
async function interruptedMerge(
  name: string,
  interrupt: (pgid: number) => void,
  shell?: string,
): Promise<Run> {
  const outParent = join(dir, name);
  await mkdir(outParent);
  const out = join(outParent, 'merged');
  const args = `--config ${join(dir, 'ties.yml')} --out ${out} --device cpu`;
  const command = `npm run --silent cli -- merge ${args}${shell ?? ''}`;
  const child = spawn('sh', ['-c', command], {
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MERGE_STUDIO_TEST_DELAY_MS: '400' },
  });
  const pgid = child.pid!;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  // Through `| head -1` only the first line shows: the pipe closing is the interruption.
  const started =
    shell !== undefined || (await until(() => /merge: \d+\/\d+ tensor steps/.test(stderr), 30_000));
  if (!started) throw new Error(`merge never started: ${stderr}`);
  interrupt(pgid);
  await Promise.race([closed, new Promise((r) => setTimeout(r, 20_000))]);
  const groupGone = await until(() => !groupAlive(pgid), 10_000);
  if (!groupGone) process.kill(-pgid, 'SIGKILL');
  // Longer than the rest of the merge would take: an orphan would have published by now.
  await new Promise((r) => setTimeout(r, 1500));
  return { stderr, groupGone, leftovers: await readdir(outParent) };
}

/** `sh -c "npm …"` execs npm in place (dash does for a single command): npm leads the group. */
const npmPid = (pgid: number): number => pgid;

describe('CLI signals (spawned through npm run)', () => {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} to the process group ends the merge and leaves nothing`, async () => {
      const run = await interruptedMerge(`group-${sig}`, (pgid) => process.kill(-pgid, sig));
      expect(run.groupGone).toBe(true);
      expect(run.leftovers).toEqual([]);
      // A group signal reaches the merge process itself and, relayed, from npm: it may count
      // as the second signal ("stopped at once"). Either way the output is removed (above).
      expect(run.stderr).toMatch(
        /merge cancelled \(SIG[A-Z]+\)|stopped at once \(SIG[A-Z]+\): partial output removed/,
      );
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }, 60_000);
  }

  for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} to npm only ends the merge and leaves no orphan`, async () => {
      const run = await interruptedMerge(`npm-${sig}`, (pgid) => process.kill(npmPid(pgid), sig));
      expect(run.groupGone).toBe(true);
      expect(run.leftovers).toEqual([]);
    }, 60_000);
  }

  it('SIGINT twice in a row stops at once and still removes the partial output', async () => {
    const run = await interruptedMerge('twice', (pgid) => {
      process.kill(-pgid, 'SIGINT');
      setTimeout(() => groupAlive(pgid) && process.kill(-pgid, 'SIGINT'), 30);
    });
    expect(run.groupGone).toBe(true);
    expect(run.leftovers).toEqual([]);
  }, 60_000);

  it('a closed output pipe (| head -1) cancels the merge: one line, nothing left', async () => {
    const run = await interruptedMerge('pipe', () => undefined, ' 2>&1 | head -1');
    expect(run.groupGone).toBe(true);
    expect(run.leftovers).toEqual([]);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

describe('CLI output into a closed pipe', () => {
  it('inspect | head -1: the first line, no stack trace, no error', async () => {
    const many = Array.from({ length: 4000 }, (_, i) => ({
      name: `layers.${i}.weight`,
      dtype: 'F32' as const,
      shape: [1],
    }));
    const file = join(dir, 'many.safetensors');
    await writeFile(file, makeValidSafetensors(many));
    const child = spawn('sh', ['-c', `npm run --silent cli -- inspect ${file} | head -1`], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((r) => child.on('close', r));
    expect(stdout.trim().split('\n')).toEqual([`many: ${file}`]);
    expect(stderr).toBe('');
  }, 60_000);
});
