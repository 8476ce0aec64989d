/**
 * Bad input of every kind gets exit 2 and one line naming the path — never "internal error",
 * a hang, a stack trace or raw terminal control characters.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpointPath } from '../io/node';
import { assembleSafetensors, makeValidSafetensors } from '../io/testing/corpus';
import { parseDtypeName } from '../merge';
import { inspectCommand } from './commands/inspect';
import { runCli } from './run';
import type { Command } from './types';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
let dir = '';

function spawnCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ['src/cli/main.ts', ...args],
      { cwd: process.cwd(), timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-bad-input-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('environment errors: exit 2, one line with the path', () => {
  const failing = (error: object): Command => ({
    summary: 's',
    usage: 'u',
    run: async () => {
      throw Object.assign(new Error('raw message\n    at x'), error);
    },
  });
  for (const [code, words] of [
    ['ENOSPC', 'no space left on the device'],
    ['EROFS', 'read-only file system'],
    ['EACCES', 'permission denied'],
    ['ELOOP', 'too many levels of symbolic links (or a link where none may be)'],
    ['ENAMETOOLONG', 'file name too long'],
    ['EISDIR', 'is a directory'],
    ['EDQUOT', 'disk quota exceeded'],
  ] as const) {
    it(`${code}`, async () => {
      const { io, err } = capture();
      const cmd = failing({ code, path: '/data/out/model.safetensors' });
      expect(await runCli(['x'], io, { x: cmd })).toBe(2);
      expect(err).toEqual([`error: /data/out/model.safetensors: ${words}`]);
    });
  }

  it('a rename names both paths', async () => {
    const { io, err } = capture();
    const cmd = failing({ code: 'EXDEV', path: '/a', dest: '/b' });
    expect(await runCli(['x'], io, { x: cmd })).toBe(2);
    expect(err).toEqual(['error: /a → /b: cannot move across file systems']);
  });

  it('real ones from the file system: a symlink loop, a long name', async () => {
    await symlink(join(dir, 'loop-b'), join(dir, 'loop-a'));
    await symlink(join(dir, 'loop-a'), join(dir, 'loop-b'));
    const registry = { inspect: inspectCommand };
    const loop = capture();
    expect(await runCli(['inspect', join(dir, 'loop-a')], loop.io, registry)).toBe(2);
    expect(loop.err).toEqual([
      `error: ${join(dir, 'loop-a')}: too many levels of symbolic links (or a link where none may be)`,
    ]);
    const long = capture();
    const longPath = join(dir, `${'x'.repeat(300)}.safetensors`);
    expect(await runCli(['inspect', longPath], long.io, registry)).toBe(2);
    expect(long.err).toEqual([`error: ${longPath}: file name too long`]);
  });

  it('a file that shrinks while it is read is named as such', async () => {
    const path = join(dir, 'shrinks.safetensors');
    await writeFile(path, makeValidSafetensors([{ name: 'w', dtype: 'F32', shape: [64] }]));
    const checkpoint = await openCheckpointPath(path);
    await truncate(path, 100);
    await expect(checkpoint.readRaw('w')).rejects.toThrow(
      new RegExp(`^${path}: (the file shrank while it was read|changed size while in use)`),
    );
    await checkpoint.close();
  });
});

describe('special files are refused by type, before opening', () => {
  it('a FIFO (which would block an open) and a device (which never ends)', async () => {
    const fifo = join(dir, 'pipe.safetensors');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const r = await spawnCli(['inspect', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `error: ${fifo}: is a FIFO (named pipe), not a regular file`,
    ]);
    expect(Date.now() - started).toBeLessThan(25_000);
    const { io, err } = capture();
    expect(await runCli(['inspect', '/dev/zero'], io, { inspect: inspectCommand })).toBe(2);
    expect(err).toEqual(['error: /dev/zero: is a device, not a regular file']);
  }, 40_000);
});

describe('hostile structure and size', () => {
  it('a 100 000-deep shape: exit 2 and one short line, no stack overflow', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const file = join(dir, 'deep.safetensors');
    await writeFile(
      file,
      assembleSafetensors(
        `{"w": {"dtype": "F32", "shape": ${deep}, "data_offsets": [0, 0]}}`,
        new Uint8Array(0),
      ),
    );
    const { io, err } = capture();
    expect(await runCli(['inspect', file], io, { inspect: inspectCommand })).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^error: .*deep\.safetensors: w: shape \[\[\[…\]\]\] has an array: dims must be non-negative integers$/,
    );
  });

  it('a valid file with 125 000 tensors inspects fine (no argument-spread overflow)', async () => {
    const n = 125_000;
    const entries = Array.from(
      { length: n },
      (_, i) => `"t${i}": {"dtype": "U8", "shape": [1], "data_offsets": [${i}, ${i + 1}]}`,
    );
    const file = join(dir, 'many.safetensors');
    await writeFile(file, assembleSafetensors(`{${entries.join(', ')}}`, new Uint8Array(n)));
    const { io, out, err } = capture();
    expect(await runCli(['inspect', file], io, { inspect: inspectCommand })).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(n + 3);
    expect(out.at(-1)).toMatch(/^125,000 tensors, 125,000 parameters/);
  }, 60_000);

  it('user-supplied keys are own properties only (constructor, __proto__)', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(() => parseDtypeName(name, '--out-dtype')).toThrow(
        `--out-dtype: unknown dtype "${name}"`,
      );
  });
});

const hasRawControl = (s: string) => ['\x1b', '\x07', '\r'].some((c) => s.includes(c));

describe('file-derived text reaches the terminal escaped', () => {
  const evil = 'x\x1b[2J\x1b]0;pwned\x07\rerror: spoofed\nline';
  it('in inspect output and in an error line (spawned CLI, real terminal path)', async () => {
    const good = join(dir, 'evil.safetensors');
    await writeFile(
      good,
      makeValidSafetensors([{ name: evil, dtype: 'F32', shape: [1] }], { [evil]: evil }),
    );
    const ok = await spawnCli(['inspect', good]);
    expect(ok.code).toBe(0);
    expect(hasRawControl(ok.stdout)).toBe(false);
    expect(ok.stdout).toContain('x\\x1b[2J\\x1b]0;pwned\\x07\\rerror: spoofed\\nline');
    const bad = join(dir, 'evil-bad.safetensors');
    const header = JSON.stringify({ [evil]: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } });
    await writeFile(bad, assembleSafetensors(header, new Uint8Array(4)));
    const r = await spawnCli(['inspect', bad]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(hasRawControl(lines[0]!)).toBe(false);
    expect(lines[0]).toContain('x\\x1b[2J');
  }, 60_000);
});

describe('file handles', () => {
  const openFds = () => readdir('/proc/self/fd').then((l) => l.length);
  it('are all released when a checkpoint is closed (sharded folder included)', async () => {
    const folder = join(dir, 'sharded');
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    const shard = (name: string) => makeValidSafetensors([{ name, dtype: 'F32', shape: [2] }]);
    await writeFile(join(folder, 'model-00001-of-00002.safetensors'), shard('a'));
    await writeFile(join(folder, 'model-00002-of-00002.safetensors'), shard('b'));
    await writeFile(
      join(folder, 'model.safetensors.index.json'),
      JSON.stringify({
        weight_map: {
          a: 'model-00001-of-00002.safetensors',
          b: 'model-00002-of-00002.safetensors',
        },
      }),
    );
    await writeFile(join(folder, 'config.json'), '{}');
    const before = await openFds();
    const checkpoint = await openCheckpointPath(folder);
    await checkpoint.readRaw('a');
    await checkpoint.readRaw('b');
    expect(await openFds()).toBeGreaterThan(before);
    await checkpoint.close();
    expect(await openFds()).toBe(before);
    // A folder that fails validation leaves no handle open either.
    await writeFile(join(folder, 'model-00002-of-00002.safetensors'), 'garbage!garbage!');
    await expect(openCheckpointPath(folder)).rejects.toThrow();
    expect(await openFds()).toBe(before);
  });
});
