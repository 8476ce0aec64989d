/**
 * tokenizer_source: union against scripts/reference/union_tokenizer_reference.py (a transcription
 * of mergekit's build_union_tokenizer and PermutedEmbeddings on tokenizer.json dicts): the
 * union tokenizer.json and every model's re-indexed embedding / LM-head rows; plus the
 * hand-checked vocabulary order and the tokenizers the union refuses.
 */
import { describe, expect, it } from 'vitest';
import { memorySource, openSingleCheckpoint } from '../../io';
import { makeValidSafetensors } from '../../io/testing/safetensors-builder';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { readFixture } from '../testing-read-fixture';
import { alignVocabularies } from './vocab';
import { tokensOf, unionTokenizer, type TokenizerJson } from './union-tokenizer';

const fx = readFixture('union_tokenizer.safetensors');
const KEYS = ['base', 'task1', 'task2'];
type Tok = { model: Record<string, unknown> } & Record<string, unknown>;
const TABLES = ['lm_head.weight', 'model.embed_tokens.weight'];
const tokenizerOf = (key: string) => JSON.parse(fx.metadata[`tokenizer.${key}`]!) as Tok;
const RECIPE =
  'merge_method: linear\nbase_model: base\ntokenizer_source: union\nmodels: [{model: task1}, {model: task2}]\n';

async function pool(tokenizer: (key: string) => unknown = tokenizerOf) {
  const ckpts = new Map();
  const tokenizers = new Map<string, unknown>();
  for (const key of KEYS) {
    const file = makeValidSafetensors([
      ...TABLES.map((name) => {
        const t = fx.get(`${key}.${name}`);
        return { name, dtype: 'F32' as const, shape: t.shape, values: Array.from(t.values) };
      }),
      { name: 'model.layers.0.w', dtype: 'F32', shape: [3, 3] },
    ]);
    ckpts.set(key, await openSingleCheckpoint(memorySource(file, `${key}.safetensors`), key));
    tokenizers.set(key, tokenizer(key));
  }
  return { ckpts, tokenizers };
}

describe('tokenizer_source: union', () => {
  it('builds the reference union tokenizer.json and re-indexes every table as mergekit does', async () => {
    const { ckpts, tokenizers } = await pool();
    const recipe = parseRecipe(RECIPE, 'u.yml').recipe;
    const aligned = alignVocabularies(recipe, ckpts, tokenizers);
    expect(aligned.tokenizer).toEqual(JSON.parse(fx.metadata['tokenizer.union']!));
    expect(aligned.vocabSize).toBe(12);
    for (const key of KEYS) {
      const view = aligned.checkpoints.get(key)!;
      for (const name of TABLES) {
        const want = fx.get(`out.${key}.${name}`);
        expect(view.tensors.get(name)!.info.shape).toEqual(want.shape);
        const got = new Float32Array((await view.readRaw(name)).slice().buffer);
        expect(Array.from(got)).toEqual(Array.from(want.values));
      }
    }
  });

  it('orders the vocabulary base first (stripped), then each model’s new tokens, then added tokens', () => {
    const union = unionTokenizer(
      [
        { model: { type: 'BPE', vocab: { a: 0, b: 1 } }, added_tokens: [] },
        {
          model: { type: 'BPE', vocab: { c: 0, a: 1 } },
          added_tokens: [{ id: 2, content: '<x>', special: true }],
        },
        { model: { type: 'BPE', vocab: { d: 0, c: 1, e: 9 } }, added_tokens: [] },
      ] as TokenizerJson[],
      [2, 3, 2],
    );
    const order = [...tokensOf(union)].sort((x, y) => x[1] - y[1]).map(([t]) => t);
    // e (id 9) is beyond task2's 2 rows; <x> is an added token, so after every plain token.
    expect(order).toEqual(['a', 'b', 'c', 'd', '<x>']);
    expect(union.added_tokens.find((a) => a.content === 'c')).toMatchObject({
      id: 2,
      normalized: true,
      special: false,
    });
    expect(union.added_tokens.at(-1)).toEqual({ id: 4, content: '<x>', special: true });
  });

  it('plans a merge whose output is the union size and whose plan carries the tokenizer', async () => {
    const { ckpts, tokenizers } = await pool();
    const plan = await planMerge(parseRecipe(RECIPE, 'u.yml').recipe, ckpts, { tokenizers });
    expect(plan.output).toMatchObject({
      vocabSize: 12,
      tokenizerFrom: 'base',
      tokenizerBuilt: true,
    });
    const step = plan.steps.find((s) => s.name === 'lm_head.weight')!;
    expect(step.shape).toEqual([12, 3]);
  });

  it('refuses tokenizers it cannot read, in one line naming the model', async () => {
    const plan = async (edit: (key: string, t: Tok) => unknown) => {
      const { ckpts, tokenizers } = await pool((k) => edit(k, tokenizerOf(k)));
      return planMerge(parseRecipe(RECIPE, 'u.yml').recipe, ckpts, { tokenizers });
    };
    await expect(
      plan((k, t) =>
        k === 'task2' ? { model: { type: 'Unigram', vocab: [['a', 0]] }, added_tokens: [] } : t,
      ),
    ).rejects.toThrow(/^model "task2": tokenizer.json has no model.vocab mapping .*Unigram list/);
    // the base has tokens beyond its rows: only a BPE tokenizer is stripped
    await expect(
      plan((k, t) => (k === 'base' ? { ...t, model: { ...t.model, type: 'WordPiece' } } : t)),
    ).rejects.toThrow(/^model "base": its tokenizer has 1 token\(s\) beyond its 6 embedding rows/);
    await expect(
      plan((k, t) => (k === 'task1' ? { ...t, added_tokens: [{ id: 'x' }] } : t)),
    ).rejects.toThrow(/^model "task1": tokenizer.json's added_tokens is not a list/);
  });
});
