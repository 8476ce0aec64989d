/**
 * `merge` with tokenizer_source on model folders with tokenizer.json: the embedding is resized
 * to the named model's vocabulary (or the union's) and the output tokenizer files and
 * config.json's vocab_size are written beside it; passthrough `slices` set config.json's
 * layer count (the re-indexing itself: src/merge/planning/vocab.spec.ts, union-tokenizer.spec.ts).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpointPath } from '../../io/node';
import { makeValidSafetensors } from '../../io/testing/safetensors-builder';
import { runCli } from '../run';
import { commands } from './index';

const VOCABS: Record<string, string[]> = { a: ['x', 'y'], b: ['y', 'x', 'z'] };
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `merge` on recipe `yaml` in `dir`; returns the output folder. */
async function merge(yaml: string, name: string) {
  const config = join(dir, `${name}.yml`);
  await writeFile(config, yaml);
  const err: string[] = [];
  const io = { out: () => undefined, err: (l: string) => err.push(l) };
  const out = join(dir, name);
  const code = await runCli(
    ['merge', '--config', config, '--out', out, '--device', 'cpu'],
    io,
    commands,
  );
  expect(err.filter((l) => l.startsWith('error'))).toEqual([]);
  expect(code).toBe(0);
  return { out, err };
}

const readJson = async (file: string) =>
  JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

describe('merge --config with tokenizer_source', () => {
  it('resizes the embedding to the named model and writes its tokenizer beside the output', async () => {
    dir = await mkdtemp(join(tmpdir(), 'merge-tok-'));
    for (const [key, tokens] of Object.entries(VOCABS)) {
      await mkdir(join(dir, key));
      const file = makeValidSafetensors([
        { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [tokens.length, 2] },
        { name: 'model.layers.0.w', dtype: 'F32', shape: [2, 2] },
      ]);
      await writeFile(join(dir, key, 'model.safetensors'), file);
      const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
      await writeFile(
        join(dir, key, 'tokenizer.json'),
        JSON.stringify({ model: { type: 'BPE', vocab } }),
      );
      await writeFile(
        join(dir, key, 'tokenizer_config.json'),
        JSON.stringify({ owner: key, added_tokens_decoder: {} }),
      );
      await writeFile(join(dir, key, 'vocab.json'), JSON.stringify(vocab));
      await writeFile(
        join(dir, key, 'config.json'),
        JSON.stringify({ vocab_size: tokens.length, num_hidden_layers: 1 }),
      );
    }
    const { out } = await merge(
      'merge_method: linear\ntokenizer_source: b\nmodels: [{model: a}, {model: b}]\n',
      'out',
    );
    const merged = await openCheckpointPath(out);
    try {
      expect(merged.tensors.get('model.embed_tokens.weight')!.info.shape).toEqual([3, 2]);
    } finally {
      await merged.close();
    }
    expect(await readJson(join(out, 'tokenizer_config.json'))).toEqual({
      owner: 'b',
      added_tokens_decoder: {},
    });
    expect(await readFile(join(out, 'tokenizer.json'), 'utf8')).toBe(
      await readFile(join(dir, 'b', 'tokenizer.json'), 'utf8'),
    );
    // every tokenizer file is b's, config.json is a's (the first model) with b's vocab_size
    expect(await readJson(join(out, 'vocab.json'))).toEqual({ y: 0, x: 1, z: 2 });
    expect(await readJson(join(out, 'config.json'))).toEqual({
      vocab_size: 3,
      num_hidden_layers: 1,
    });
  });

  it('union: writes the union tokenizer.json, its added tokens in tokenizer_config.json, vocab_size', async () => {
    const { out } = await merge(
      'merge_method: linear\ntokenizer_source: union\nmodels: [{model: a}, {model: b}]\n',
      'union',
    );
    const merged = await openCheckpointPath(out);
    try {
      expect(merged.tensors.get('model.embed_tokens.weight')!.info.shape).toEqual([3, 2]);
    } finally {
      await merged.close();
    }
    const added = { id: 2, content: 'z', single_word: false, lstrip: false, rstrip: false };
    expect(await readJson(join(out, 'tokenizer.json'))).toEqual({
      model: { type: 'BPE', vocab: { x: 0, y: 1 } },
      added_tokens: [{ ...added, normalized: true, special: false }],
    });
    const info = { content: 'z', single_word: false, lstrip: false, rstrip: false };
    expect(await readJson(join(out, 'tokenizer_config.json'))).toEqual({
      owner: 'a',
      added_tokens_decoder: { '2': { ...info, normalized: true, special: false } },
    });
    expect(await readJson(join(out, 'config.json'))).toEqual({
      vocab_size: 3,
      num_hidden_layers: 1,
    });
    // a's slow-tokenizer files would not know z: not written
    await expect(readFile(join(out, 'vocab.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('merge --config with slices', () => {
  it("sets config.json's layer count to the stacked layers (num_hidden_layers, else n_layer)", async () => {
    for (const [key, cfg] of [
      ['deep', { num_hidden_layers: 3, hidden_size: 2 }],
      ['gpt', { n_layer: 3 }],
    ] as const) {
      await mkdir(join(dir, key));
      const file = makeValidSafetensors(
        [0, 1, 2].map((l) => ({ name: `model.layers.${l}.w`, dtype: 'F32' as const, shape: [2] })),
      );
      await writeFile(join(dir, key, 'model.safetensors'), file);
      await writeFile(join(dir, key, 'config.json'), JSON.stringify(cfg));
      const { out } = await merge(
        `merge_method: passthrough\nslices:\n  - sources: [{model: ${key}, layer_range: [0, 3]}]\n  - sources: [{model: ${key}, layer_range: [1, 3]}]\n`,
        `${key}-stacked`,
      );
      expect(await readJson(join(out, 'config.json'))).toEqual({
        ...cfg,
        ...('n_layer' in cfg ? { n_layer: 5 } : { num_hidden_layers: 5 }),
      });
    }
  });
});
