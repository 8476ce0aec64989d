/**
 * `merge` with tokenizer_source on model folders with tokenizer.json: the embedding is resized
 * to the named model's vocabulary and that model's tokenizer files are written beside the
 * output (the re-indexing itself: src/merge/planning/vocab.spec.ts).
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
      await writeFile(join(dir, key, 'tokenizer_config.json'), JSON.stringify({ owner: key }));
    }
    const config = join(dir, 'r.yml');
    await writeFile(
      config,
      'merge_method: linear\ntokenizer_source: b\nmodels: [{model: a}, {model: b}]\n',
    );
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l) };
    const out = join(dir, 'out');
    const code = await runCli(
      ['merge', '--config', config, '--out', out, '--device', 'cpu'],
      io,
      commands,
    );
    expect(err.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(code).toBe(0);
    const merged = await openCheckpointPath(out);
    try {
      expect(merged.tensors.get('model.embed_tokens.weight')!.info.shape).toEqual([3, 2]);
    } finally {
      await merged.close();
    }
    expect(JSON.parse(await readFile(join(out, 'tokenizer_config.json'), 'utf8'))).toEqual({
      owner: 'b',
    });
    expect(await readFile(join(out, 'tokenizer.json'), 'utf8')).toBe(
      await readFile(join(dir, 'b', 'tokenizer.json'), 'utf8'),
    );
  });
});
