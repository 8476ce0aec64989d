import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySinkFolder, writeSharded } from '../io';
import {
  BAD_SAFETENSORS,
  encodeValues,
  makeValidSafetensors,
  patternValues,
} from '../io/testing/corpus';
import { inspectCommand } from './commands/inspect';
import { runCli } from './run';
import type { Command } from './types';

/** In-process tests use only inspect, independent of the other commands' modules. */
const registry = { inspect: inspectCommand };

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Spawns the real CLI (about a second each: keep these few). */
function spawnCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['src/cli/main.ts', ...args], { cwd: process.cwd() }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

let dir = '';
const good = () => join(dir, 'good.safetensors');
const corrupt = (kind: string) => join(dir, `${kind.replace(/\W+/g, '-')}.safetensors`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  await writeFile(
    good(),
    makeValidSafetensors(
      [
        { name: 'embed.weight', dtype: 'F32', shape: [10, 4] },
        { name: 'blocks.0.mlp.weight', dtype: 'F16', shape: [4, 4] },
        { name: 'head.bias', dtype: 'BF16', shape: [3] },
      ],
      { format: 'pt' },
    ),
  );
  for (const entry of BAD_SAFETENSORS) await writeFile(corrupt(entry.kind), entry.build());
  const folder = memorySinkFolder();
  const specs = [
    { name: 'x.weight', dtype: 'F32' as const, shape: [6] },
    { name: 'y.weight', dtype: 'F32' as const, shape: [6] },
  ];
  const writer = writeSharded(folder, specs, { maxShardBytes: 24 });
  for (const s of specs)
    await writer.writeTensor(s.name, encodeValues('F32', patternValues(s.name, 6)));
  await writer.finish();
  await mkdir(join(dir, 'hf-model'));
  for (const [name, bytes] of folder.files) await writeFile(join(dir, 'hf-model', name), bytes);
  await writeFile(join(dir, 'hf-model', 'config.json'), '{"model_type": "mlp"}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CLI (spawned)', () => {
  it('inspects a good file: exit 0, a row per tensor and a summary', async () => {
    const { code, stdout, stderr } = await spawnCli(['inspect', good()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^embed\.weight\s+F32\s+\[10, 4\]\s+40\s+160$/m);
    expect(stdout).toMatch(/^blocks\.0\.mlp\.weight\s+F16\s+\[4, 4\]\s+16\s+32$/m);
    expect(stdout).toMatch(/^head\.bias\s+BF16\s+\[3\]\s+3\s+6$/m);
    expect(stdout).toContain('3 tensors, 59 parameters');
    expect(stdout).toContain('metadata: format=pt');
  });

  it('inspects a sharded HF folder through its index', async () => {
    const { code, stdout } = await spawnCli(['inspect', join(dir, 'hf-model')]);
    expect(code).toBe(0);
    expect(stdout).toContain('hf-model: 2 shards');
    expect(stdout).toMatch(/^x\.weight\s+F32/m);
    expect(stdout).toMatch(/^y\.weight\s+F32/m);
  });

  for (const kind of [
    'truncated file',
    'header length over cap',
    'duplicate tensor key',
    'unknown dtype',
  ]) {
    it(`fails on a ${kind} with exit 2 and one stderr line naming the file`, async () => {
      const entry = BAD_SAFETENSORS.find((e) => e.kind === kind)!;
      const { code, stdout, stderr } = await spawnCli(['inspect', corrupt(kind)]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      const prefix = `error: ${corrupt(kind)}: ${entry.tensor ? `${entry.tensor}: ` : ''}`;
      expect(lines[0]!.startsWith(prefix)).toBe(true);
      expect(lines[0]).toMatch(entry.problem);
    });
  }
});

describe('CLI (in process)', () => {
  it('gives every corpus file exit 2 and exactly one line naming file and tensor', async () => {
    for (const entry of BAD_SAFETENSORS) {
      const { io, out, err } = capture();
      expect(await runCli(['inspect', corrupt(entry.kind)], io, registry)).toBe(2);
      expect(out).toEqual([]);
      expect(err).toHaveLength(1);
      expect(
        err[0]!.startsWith(
          `error: ${corrupt(entry.kind)}: ${entry.tensor ? `${entry.tensor}: ` : ''}`,
        ),
      ).toBe(true);
      expect(err[0]).toMatch(entry.problem);
    }
  });

  it('lists commands on --help and rejects unknown ones with the known names', async () => {
    const help = capture();
    expect(await runCli(['--help'], help.io, registry)).toBe(0);
    expect(help.out.join('\n')).toMatch(/^ {2}inspect {2}validate/m);
    const unknown = capture();
    expect(await runCli(['frobnicate'], unknown.io, registry)).toBe(2);
    expect(unknown.err).toEqual(['error: unknown command "frobnicate"; known commands: inspect']);
  });

  it('reports missing paths, bad arguments and internal errors as one line', async () => {
    const missing = capture();
    expect(await runCli(['inspect', join(dir, 'nope.safetensors')], missing.io, registry)).toBe(2);
    expect(missing.err).toEqual([
      `error: ${join(dir, 'nope.safetensors')}: no such file or directory`,
    ]);
    const extra = capture();
    expect(await runCli(['inspect', 'a', 'b'], extra.io, registry)).toBe(2);
    expect(extra.err[0]).toMatch(/^error: inspect takes exactly one path/);
    const boom: Command = {
      summary: 's',
      usage: 'u',
      run: async () => {
        throw new Error('kaput\n    at somewhere');
      },
    };
    const internal = capture();
    expect(await runCli(['boom'], internal.io, { boom })).toBe(1);
    expect(internal.err).toEqual(['error: internal error: kaput']);
  });

  it('loads a lazily registered command only when it runs', async () => {
    const loaded: string[] = [];
    const lazy = (name: string) => ({
      load: async () => {
        loaded.push(name);
        return { summary: `${name} things`, usage: `usage: ${name}`, run: async () => 7 };
      },
    });
    const entries = { inspect: inspectCommand, a: lazy('a'), b: lazy('b') };
    expect(await runCli(['a'], capture().io, entries)).toBe(7);
    expect(loaded).toEqual(['a']);
    const help = capture();
    await runCli(['--help'], help.io, entries);
    expect(help.out).toContain('  b        b things');
  });

  it('prints JSON with --json', async () => {
    const { io, out } = capture();
    expect(await runCli(['inspect', good(), '--json'], io, registry)).toBe(0);
    const json = JSON.parse(out.join('\n'));
    expect(json.summary).toMatchObject({
      tensorCount: 3,
      parameterCount: 59,
      byteSize: 160 + 32 + 6,
    });
    expect(json.tensors.map((t: { name: string }) => t.name)).toEqual([
      'embed.weight',
      'blocks.0.mlp.weight',
      'head.bias',
    ]);
  });
});
