/**
 * tokenizer_source (mergekit's PermutedEmbeddings) on a tiny pool whose three models have
 * different vocabularies, against hand-built expectations: which row of which model each
 * output row of the embedding and the LM head is.
 */
import { describe, expect, it } from 'vitest';
import { memorySinkFolder, memorySource, openSafetensors, openSingleCheckpoint } from '../../io';
import { makeValidSafetensors } from '../../io/testing/safetensors-builder';
import { createCpuBackend } from '../cpu/index';
import { executeMerge } from '../executor/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { permuteEmbeddings } from './vocab';

const VOCABS: Record<string, Record<string, number>> = {
  base: { a: 0, b: 1, c: 2 },
  task1: { a: 0, c: 1, d: 2 },
  task2: { b: 0, a: 1, c: 2, e: 3 },
};
const DIM = 2;
/** Row r of model m's table t (0 embed, 1 head): distinct values to trace. */
const cell = (m: number, t: number, r: number, j: number) => 100 * m + 10 * t + r + j / 10;

async function pool() {
  const ckpts = new Map();
  const tokenizers = new Map<string, unknown>();
  for (const [m, key] of ['base', 'task1', 'task2'].entries()) {
    const rows = Object.keys(VOCABS[key]!).length;
    const table = (t: number) =>
      Array.from({ length: rows * DIM }, (_, i) => cell(m, t, Math.floor(i / DIM), i % DIM));
    const file = makeValidSafetensors([
      { name: 'lm_head.weight', dtype: 'F32', shape: [rows, DIM], values: table(1) },
      { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [rows, DIM], values: table(0) },
      { name: 'model.layers.0.w', dtype: 'F32', shape: [DIM, DIM], values: [m, m, m, m] },
    ]);
    ckpts.set(key, await openSingleCheckpoint(memorySource(file, `${key}.safetensors`), key));
    // Half of task2's vocabulary as added tokens: they count as vocabulary too.
    const vocab = Object.entries(VOCABS[key]!);
    const added = key === 'task2' ? vocab.slice(2) : [];
    tokenizers.set(key, {
      model: {
        type: 'BPE',
        vocab: Object.fromEntries(vocab.slice(0, vocab.length - added.length)),
      },
      added_tokens: added.map(([content, id]) => ({ id, content })),
    });
  }
  return { ckpts, tokenizers };
}

async function merged(source: string) {
  const { ckpts, tokenizers } = await pool();
  const yaml = `merge_method: linear\nbase_model: base\ntokenizer_source: ${source}\nmodels:\n  - {model: task1, parameters: {weight: 1}}\n  - {model: task2, parameters: {weight: 1}}\n`;
  const plan = await planMerge(parseRecipe(yaml, 't.yml').recipe, ckpts, { tokenizers });
  const folder = memorySinkFolder();
  await executeMerge(plan, createCpuBackend(), folder);
  const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'out'));
  const read = async (name: string) =>
    Array.from(new Float32Array((await file.readRaw(name)).slice().buffer));
  return {
    embed: await read('model.embed_tokens.weight'),
    head: await read('lm_head.weight'),
    file,
  };
}

/** The linear mean of task1's and task2's rows [model, row] for output rows in order. */
function expected(t: number, rows: [[number, number], [number, number]][]): number[] {
  return rows.flatMap(([[m1, r1], [m2, r2]]) =>
    Array.from({ length: DIM }, (_, j) => (cell(m1, t, r1, j) + cell(m2, t, r2, j)) / 2),
  );
}

describe('tokenizer_source', () => {
  it('base: rows re-indexed to the base vocabulary, a row task1 lacks taken from the base', async () => {
    const { embed, head, file } = await merged('base');
    expect(file.tensors.get('model.embed_tokens.weight')!.shape).toEqual([3, DIM]);
    // a: task1 0, task2 1 · b: task1 lacks it → base row 1, task2 0 · c: task1 1, task2 2
    const rows: [[number, number], [number, number]][] = [
      [
        [1, 0],
        [2, 1],
      ],
      [
        [0, 1],
        [2, 0],
      ],
      [
        [1, 1],
        [2, 2],
      ],
    ];
    for (const [got, t] of [
      [embed, 0],
      [head, 1],
    ] as const) {
      expect(got.length).toBe(3 * DIM);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected(t, rows)[i]!, 3));
    }
  });

  it('a named model: its vocabulary (added tokens included); a token only it has is its row for all', async () => {
    const { embed, file } = await merged('task2');
    expect(file.tensors.get('lm_head.weight')!.shape).toEqual([4, DIM]);
    // b: base 1 for task1, task2 0 · a · c · e: only task2 (row 3) → task2's row in both
    const rows: [[number, number], [number, number]][] = [
      [
        [0, 1],
        [2, 0],
      ],
      [
        [1, 0],
        [2, 1],
      ],
      [
        [1, 1],
        [2, 2],
      ],
      [
        [2, 3],
        [2, 3],
      ],
    ];
    embed.forEach((v, i) => expect(v).toBeCloseTo(expected(0, rows)[i]!, 3));
  });

  it('a token two models have and the base lacks is their mean; none has it → zeros', () => {
    const tables = [
      new Float32Array([1, 1]),
      new Float32Array([2, 4, 9, 9]),
      new Float32Array([6, 8]),
    ];
    // output ids 0, 1: model 0 has neither, models 1 and 2 have id 0; nobody has id 1
    const perms = [new Int32Array([-1, -1]), new Int32Array([0, -1]), new Int32Array([0, -1])];
    const out = permuteEmbeddings(tables, perms, 0, 2);
    expect(Array.from(out[0]!)).toEqual([4, 6, 0, 0]);
    expect(Array.from(out[1]!)).toEqual([2, 4, 0, 0]);
  });

  it('refuses a model it does not know and a missing tokenizer.json in one line each', async () => {
    const { ckpts, tokenizers } = await pool();
    const plan = (source: string, t = tokenizers) =>
      planMerge(
        parseRecipe(
          `merge_method: linear\ntokenizer_source: ${source}\nmodels: [{model: task1}, {model: task2}]\n`,
          't.yml',
        ).recipe,
        ckpts,
        { tokenizers: t },
      );
    await expect(plan('nope')).rejects.toThrow(
      /tokenizer_source: "nope" is not one of the recipe's models/,
    );
    await expect(plan('base', new Map([['task1', tokenizers.get('task1')]]))).rejects.toThrow(
      /model "task2": tokenizer_source needs its tokenizer.json/,
    );
  });
});
