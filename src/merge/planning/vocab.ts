/**
 * mergekit's `tokenizer_source` (mergekit/tokenizer/build.py + embed.py PermutedEmbeddings):
 * every model's embedding and LM-head rows are re-indexed to the output tokenizer's vocabulary
 * before the merge, so models whose vocabularies differ can be merged.
 *
 * - Output vocabulary: the base's tokenizer (`base`; the first model when there is no base)
 *   or a named model's. `union` is not built here (it needs a new tokenizer.json).
 * - A model's permutation: output id → the id of the same token string in its own tokenizer,
 *   −1 when it lacks the token or its id is ≥ the model's embedding rows (mergekit's vocab_size).
 * - A row a model lacks gets a default (assign_embedding_sources): the one model that has
 *   the token; zeros when none has it; the base's row when the base has it; otherwise the mean
 *   of the rows of the models that have it.
 *
 * Embedding tensors: 2-D, rows = the model's vocabulary rows, named like an input embedding
 * or LM head (EMBED_RE; mergekit reads `is_embed` from its architecture tables).
 */
import { decodeToF32, encodeF32As } from '../../io';
import type { FloatDtype } from '../../io/types';
import type { Recipe } from '../recipe/types';
import { MergePlanError, type MergeCheckpoint } from './types';
import { readTokenizerJson, strippedTokenizer, tokensOf, unionTokenizer } from './union-tokenizer';

export const EMBED_RE =
  /(^|\.)(embed_tokens|wte|word_embeddings|embed_in|embed_out|lm_head)\.weight$/;

/** token → id of a tokenizer.json: its model vocabulary plus its added tokens. */
export const vocabOf = (tokenizer: unknown, what: string): Map<string, number> =>
  tokensOf(readTokenizerJson(tokenizer, what));

/** Output id → the model's id of that token, or −1 (absent, or beyond its `rows`). */
export function permutation(
  out: Map<string, number>,
  own: Map<string, number>,
  rows: number,
): Int32Array {
  const p = new Int32Array(outSize(out)).fill(-1);
  for (const [token, id] of out) {
    const mine = own.get(token);
    if (mine !== undefined && mine < rows) p[id] = mine;
  }
  return p;
}

export const outSize = (vocab: Map<string, number>) => Math.max(-1, ...vocab.values()) + 1;

/**
 * The re-indexed embeddings of every model (rows of `dim` floats), mergekit's defaults for
 * missing rows; `base` is the index of the base model in `tables` (or −1).
 */
export function permuteEmbeddings(
  tables: Float32Array[],
  perms: Int32Array[],
  base: number,
  dim: number,
): Float32Array[] {
  const size = perms[0]!.length;
  const defaults = new Float32Array(size * dim);
  for (let id = 0; id < size; id++) {
    const holders = perms.flatMap((p, m) => (p[id]! >= 0 ? [m] : []));
    const from =
      holders.length === 1 ? holders : base >= 0 && perms[base]![id]! >= 0 ? [base] : holders;
    for (const m of from) {
      const row = perms[m]![id]! * dim;
      for (let j = 0; j < dim; j++) defaults[id * dim + j]! += tables[m]![row + j]! / from.length;
    }
  }
  return tables.map((table, m) => {
    const out = new Float32Array(size * dim);
    const p = perms[m]!;
    for (let id = 0; id < size; id++) {
      if (p[id]! >= 0) out.set(table.subarray(p[id]! * dim, (p[id]! + 1) * dim), id * dim);
      else out.set(defaults.subarray(id * dim, (id + 1) * dim), id * dim);
    }
    return out;
  });
}

export interface AlignedVocabularies {
  checkpoints: Map<string, MergeCheckpoint>;
  /** The model key whose tokenizer is the output's (the base's, else the first's, for union). */
  source: string;
  /** The output's tokenizer.json object (for union, the one built; else the source's). */
  tokenizer: unknown;
  /** Rows of the output's embeddings (mergekit writes it as config.json's vocab_size). */
  vocabSize: number;
}

/**
 * Views of the recipe's checkpoints whose embedding tensors are re-indexed to the output
 * vocabulary (read and permuted when the executor reads them; no ranged reads). `tokenizers`:
 * recipe model key → parsed tokenizer.json. Returns the source model key of the tokenizer.
 */
export function alignVocabularies(
  recipe: Recipe,
  checkpoints: Map<string, MergeCheckpoint>,
  tokenizers: Map<string, unknown>,
): AlignedVocabularies {
  const keys = [
    ...new Set([
      ...(recipe.baseModel ? [recipe.baseModel] : []),
      ...recipe.models.map((m) => m.model),
    ]),
  ].filter((k) => checkpoints.has(k));
  const source = tokenizerSourceKey(recipe);
  if (!keys.includes(source))
    throw new MergePlanError([`tokenizer_source: "${source}" is not one of the recipe's models`]);
  const missing = keys.filter((k) => !tokenizers.has(k));
  if (missing.length > 0)
    throw new MergePlanError(
      missing.map(
        (k) => `model "${k}": tokenizer_source needs its tokenizer.json (none beside it)`,
      ),
    );
  const sourceCkpt = checkpoints.get(source)!;
  const names = [...sourceCkpt.tensors.keys()].filter((n) => isEmbedding(sourceCkpt, n));
  let vocabs = keys.map((k) => vocabOf(tokenizers.get(k), `model "${k}"`));
  let out = vocabs[keys.indexOf(source)]!;
  let tokenizer: unknown = tokenizers.get(source);
  if (recipe.tokenizerSource === 'union') {
    const built = unionOf(keys, checkpoints, tokenizers, names);
    ({ tokenizer, vocabs } = built);
    out = tokensOf(built.tokenizer);
  }
  const size = outSize(out);
  const base = recipe.baseModel ? keys.indexOf(recipe.baseModel) : -1;
  const cache = new Map<string, Promise<Float32Array[]>>();
  const permuted = (name: string) => {
    let p = cache.get(name);
    if (!p) {
      p = (async () => {
        const tables: Float32Array[] = [];
        const perms: Int32Array[] = [];
        let dim = 0;
        for (let m = 0; m < keys.length; m++) {
          const ckpt = checkpoints.get(keys[m]!)!;
          const entry = ckpt.tensors.get(name);
          if (!entry || entry.info.shape.length !== 2)
            throw new Error(
              `${ckpt.name}: ${name}: missing or not 2-D (an embedding is re-indexed for tokenizer_source)`,
            );
          const [rows, cols] = entry.info.shape as [number, number];
          dim = cols;
          tables.push(
            decodeToF32(entry.info.dtype, await ckpt.readRaw(name), ckpt.name, name).slice(),
          );
          perms.push(permutation(out, vocabs[m]!, rows));
        }
        return permuteEmbeddings(tables, perms, base, dim);
      })();
      cache.set(name, p);
    }
    return p;
  };
  const views = new Map<string, MergeCheckpoint>();
  keys.forEach((key, m) => {
    const ckpt = checkpoints.get(key)!;
    const tensors: MergeCheckpoint['tensors'] = new Map(ckpt.tensors);
    for (const name of names) {
      const entry = ckpt.tensors.get(name);
      if (!entry) continue;
      const dtype = entry.info.dtype as FloatDtype;
      const shape = [size, entry.info.shape[1]!];
      const bytes = size * shape[1]! * (dtype === 'F32' ? 4 : 2);
      tensors.set(name, {
        ...entry,
        info: { ...entry.info, shape, begin: 0, end: bytes },
        file: undefined as never,
      });
    }
    views.set(key, {
      name: ckpt.name,
      tensors,
      readRaw: async (name) =>
        names.includes(name) && ckpt.tensors.has(name)
          ? encodeF32As(
              ckpt.tensors.get(name)!.info.dtype as FloatDtype,
              (await permuted(name))[m]!,
            )
          : ckpt.readRaw(name),
    });
  });
  return { checkpoints: views, source, tokenizer, vocabSize: size };
}

/**
 * The model key whose tokenizer is the output's: the base (else the first model) or the named
 * one; for union the base (else the first model), whose tokenizer the union extends.
 */
export function tokenizerSourceKey(recipe: Recipe): string {
  const wanted = recipe.tokenizerSource!;
  if (wanted !== 'base' && wanted !== 'union') return wanted;
  return recipe.baseModel ?? recipe.models[0]!.model;
}

/**
 * The union tokenizer of the models `keys` (base first) and each model's vocabulary to
 * re-index from (the base's stripped of the tokens beyond its rows, as mergekit does). A
 * model's rows: those of its first embedding tensor.
 */
function unionOf(
  keys: string[],
  checkpoints: Map<string, MergeCheckpoint>,
  tokenizers: Map<string, unknown>,
  names: string[],
): { tokenizer: ReturnType<typeof unionTokenizer>; vocabs: Map<string, number>[] } {
  if (names.length === 0)
    throw new MergePlanError([
      `${checkpoints.get(keys[0]!)!.name}: tokenizer_source: union needs an embedding or LM head (2-D, named like embed_tokens / lm_head), and none was found`,
    ]);
  const rows = keys.map((k) => {
    const entry = checkpoints.get(k)!.tensors.get(names[0]!);
    if (!entry || entry.info.shape.length !== 2)
      throw new MergePlanError([
        `${checkpoints.get(k)!.name}: ${names[0]}: missing or not 2-D (tokenizer_source: union re-indexes it)`,
      ]);
    return entry.info.shape[0]!;
  });
  const parsed = keys.map((k) => readTokenizerJson(tokenizers.get(k), `model "${k}"`));
  parsed[0] = strippedTokenizer(parsed[0]!, rows[0]!, `model "${keys[0]}"`);
  const tokenizer = unionTokenizer(parsed, rows);
  return { tokenizer, vocabs: parsed.map(tokensOf) };
}

function isEmbedding(ckpt: MergeCheckpoint, name: string): boolean {
  const info = ckpt.tensors.get(name)!.info;
  return (
    info.shape.length === 2 && EMBED_RE.test(name) && ['F32', 'F16', 'BF16'].includes(info.dtype)
  );
}
