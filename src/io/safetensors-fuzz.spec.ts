/**
 * Seeded mutation fuzzing of the header parser: thousands of mutants of one valid file (bit
 * flips, JSON-ish byte edits, inserted and deleted bytes, wrong length prefixes, truncation,
 * trailing bytes, rewritten numbers) within a fixed time budget. Every mutant either opens —
 * and then satisfies the format's invariants — or is refused with a SafetensorsError whose
 * message is one short line without control characters. A sample goes through the spawned
 * CLI: exit 2 and one stderr line.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError } from './errors';
import { openSafetensors } from './safetensors-reader';
import { memorySource } from './sources';
import { makeValidSafetensors } from './testing/corpus';

const SEED = 0x5afe7e57;
const BUDGET_MS = 5_000;
const MAX_MUTANTS = 20_000;

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = makeValidSafetensors(
  [
    { name: 'embed.weight', dtype: 'F32', shape: [3, 2] },
    { name: 'blocks.0.norm', dtype: 'BF16', shape: [4] },
    { name: 'ids', dtype: 'U16', shape: [2, 1] },
  ],
  { format: 'pt' },
);
const HEADER_END = 8 + Number(new DataView(VALID.buffer).getBigUint64(0, true));
const JSONISH = new TextEncoder().encode('{}[]",:0123456789.-eE \t\n\\uF3');
const NUMBERS = ['0', '1', '-1', '4.0', '1e3', '9007199254740993', '18446744073709551616', '2'];

function mutate(next: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  const bytes = VALID.slice();
  const inHeader = () => 8 + pick(HEADER_END - 8);
  const setLength = (b: Uint8Array, n: bigint) =>
    new DataView(b.buffer, b.byteOffset).setBigUint64(0, BigInt.asUintN(64, n), true);
  const splice = (at: number, remove: number, insert: Uint8Array = new Uint8Array(0)) => {
    const out = new Uint8Array(bytes.length - remove + insert.length);
    out.set(bytes.subarray(0, at));
    out.set(insert, at);
    out.set(bytes.subarray(at + remove), at + insert.length);
    return out;
  };
  switch (pick(9)) {
    case 0: {
      const at = pick(bytes.length);
      bytes[at] = bytes[at]! ^ (1 << pick(8));
      return bytes;
    }
    case 1:
      bytes[inHeader()] = JSONISH[pick(JSONISH.length)]!;
      return bytes;
    case 2: {
      const out = splice(inHeader(), 1);
      if (next() < 0.5) setLength(out, BigInt(HEADER_END - 9));
      return out;
    }
    case 3: {
      const out = splice(inHeader(), 0, Uint8Array.of(JSONISH[pick(JSONISH.length)]!));
      if (next() < 0.5) setLength(out, BigInt(HEADER_END - 7));
      return out;
    }
    case 4:
      setLength(bytes, BigInt(HEADER_END - 8 + pick(17) - 8));
      if (next() < 0.2) setLength(bytes, BigInt(Math.floor(next() * 2 ** 53)) << BigInt(pick(12)));
      return bytes;
    case 5:
      return bytes.slice(0, pick(bytes.length));
    case 6:
      return splice(
        bytes.length,
        0,
        Uint8Array.from({ length: 1 + pick(9) }, () => pick(256)),
      );
    case 7: {
      const text = new TextDecoder().decode(bytes.subarray(8, HEADER_END));
      const numbers = [...text.matchAll(/\d+/g)];
      const m = numbers[pick(numbers.length)]!;
      const replaced =
        text.slice(0, m.index) + NUMBERS[pick(NUMBERS.length)] + text.slice(m.index + m[0].length);
      const header = new TextEncoder().encode(replaced);
      const out = new Uint8Array(8 + header.length + bytes.length - HEADER_END);
      setLength(out, BigInt(header.length));
      out.set(header, 8);
      out.set(bytes.subarray(HEADER_END), 8 + header.length);
      return out;
    }
    default: {
      const from = inHeader();
      const len = 1 + pick(Math.min(40, HEADER_END - from));
      return splice(inHeader(), 0, bytes.slice(from, from + len));
    }
  }
}

const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f');

/** Opens the mutant; returns the refusal message, or undefined when it is a valid file. */
async function judge(bytes: Uint8Array): Promise<string | undefined> {
  let file;
  try {
    file = await openSafetensors(memorySource(bytes, 'm.safetensors'));
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw new Error(`not a SafetensorsError: ${String(e)}`);
    return e.message;
  }
  // Accepted: the tensors tile the data area exactly and every one reads back whole.
  const sorted = [...file.tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of sorted) {
    expect(t.begin).toBe(at);
    at = t.end;
    expect((await file.readRaw(t.name)).length).toBe(t.end - t.begin);
  }
  expect(file.dataStart + at).toBe(bytes.length);
  return undefined;
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fuzz-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('header parser fuzzing (seeded, time-bounded)', () => {
  const refusedSample: Uint8Array[] = [];

  it('every mutant opens validly or is refused with one clean line', async () => {
    const next = rng(SEED);
    const start = performance.now();
    let mutants = 0;
    let refused = 0;
    while (mutants < MAX_MUTANTS && performance.now() - start < BUDGET_MS) {
      const bytes = mutate(next);
      mutants++;
      const message = await judge(bytes);
      if (message === undefined) continue;
      refused++;
      expect(message.split('\n')).toHaveLength(1);
      expect(hasControl(message)).toBe(false);
      expect(message.length).toBeLessThan(400);
      expect(message.startsWith('m.safetensors: ')).toBe(true);
      if (refusedSample.length < 6 && refused % 97 === 1) refusedSample.push(bytes);
    }
    expect(mutants).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(mutants / 4);
  }, 30_000);

  it('a sample of refused mutants through the spawned CLI: exit 2, one line', async () => {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    expect(refusedSample.length).toBeGreaterThan(3);
    for (const [i, bytes] of refusedSample.entries()) {
      const path = join(dir, `mutant-${i}.safetensors`);
      await writeFile(path, bytes);
      const r = await new Promise<{ code: number; stderr: string }>((done) =>
        execFile(
          tsx,
          ['src/cli/main.ts', 'inspect', path],
          { cwd: process.cwd() },
          (e, _o, stderr) => done({ code: e ? Number(e.code ?? 1) : 0, stderr }),
        ),
      );
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(`error: ${path}: `)).toBe(true);
    }
  }, 60_000);
});
