/**
 * mergekit's `tokenizer_source: union` (mergekit/tokenizer/build.py build_union_tokenizer), on
 * tokenizer.json objects: the output tokenizer is the base's (the first model's without a
 * base), stripped of tokens beyond its embedding rows (get_stripped_tokenizer), plus every
 * other model's tokens it lacks, appended as HF's add_tokens appends them:
 *
 * 1. each model in turn (base first, then the recipe's order), its tokens in id order (mergekit
 *    walks a Rust hash map, whose order changes from run to run), skipping ids beyond the
 *    model's rows: a plain token the output lacks becomes an added token
 *    {normalized: true, special: false, …} with the next id;
 * 2. then every model's added tokens (first settings seen win), the output lacks them → next
 *    id; one that is a plain vocabulary token there keeps that id with the new settings.
 *
 * The embedding and LM-head rows are then re-indexed to it as for the other sources (vocab.ts).
 */
import { MergePlanError } from './types';

/** One entry of tokenizer.json's `added_tokens`. */
interface TokenInfo {
  content: string;
  [setting: string]: unknown;
}
type AddedToken = TokenInfo & { id: number };

export interface TokenizerJson {
  model: { type?: string; vocab: Record<string, number>; merges?: unknown[] };
  added_tokens: AddedToken[];
  [field: string]: unknown;
}

/** What HF's add_tokens makes of a plain string (tokenizers' AddedToken::from(s, false)). */
const PLAIN = {
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: true,
  special: false,
};

/** A tokenizer.json whose vocabulary is read: a token → id mapping in model.vocab, added_tokens. */
export function readTokenizerJson(tokenizer: unknown, what: string): TokenizerJson {
  const t = tokenizer as Partial<TokenizerJson> | null;
  const vocab = t?.model?.vocab;
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab))
    throw new MergePlanError([
      `${what}: tokenizer.json has no model.vocab mapping (only BPE/WordPiece-style vocabularies are read${Array.isArray(vocab) ? `; this one is a ${t?.model?.type ?? 'Unigram'} list` : ''})`,
    ]);
  const added = t!.added_tokens ?? [];
  if (
    !Array.isArray(added) ||
    added.some((a) => typeof a?.content !== 'string' || !Number.isInteger(a?.id))
  )
    throw new MergePlanError([
      `${what}: tokenizer.json's added_tokens is not a list of {id, content}`,
    ]);
  return { ...(t as TokenizerJson), added_tokens: added };
}

/** token → id: the model vocabulary, then the added tokens. */
export const tokensOf = (t: TokenizerJson) => {
  const out = new Map<string, number>(Object.entries(t.model.vocab));
  for (const a of t.added_tokens) out.set(a.content, a.id);
  return out;
};

/**
 * get_stripped_tokenizer: drops the tokens whose ids are ≥ `rows` (the model's embedding rows)
 * from the vocabulary, the added tokens and the merges; only BPE tokenizers are stripped.
 */
export function strippedTokenizer(t: TokenizerJson, rows: number, what: string): TokenizerJson {
  const unused = new Set([...tokensOf(t)].filter(([, id]) => id >= rows).map(([tok]) => tok));
  if (unused.size === 0) return t;
  if (t.model.type !== 'BPE')
    throw new MergePlanError([
      `${what}: its tokenizer has ${unused.size} token(s) beyond its ${rows} embedding rows, and only a BPE tokenizer can be stripped of them for tokenizer_source: union (this one is ${t.model.type ?? 'untyped'})`,
    ]);
  const keep = (merge: unknown) => {
    const toks = typeof merge === 'string' ? merge.split(' ') : (merge as string[]);
    return !toks.some((tok) => unused.has(tok));
  };
  return {
    ...t,
    model: {
      ...t.model,
      vocab: Object.fromEntries(Object.entries(t.model.vocab).filter(([tok]) => !unused.has(tok))),
      ...(t.model.merges ? { merges: t.model.merges.filter(keep) } : {}),
    },
    added_tokens: t.added_tokens.filter((a) => a.id < rows),
  };
}

/**
 * The union tokenizer.json: `tokenizers[0]` is the base's (already stripped), `rows[m]` each
 * model's embedding rows. The inputs are not modified.
 */
export function unionTokenizer(tokenizers: TokenizerJson[], rows: number[]): TokenizerJson {
  const order = new Set<string>();
  const addedInfo = new Map<string, TokenInfo>();
  tokenizers.forEach((t, m) => {
    const byId = [...tokensOf(t)].filter(([, id]) => id < rows[m]!).sort((x, y) => x[1] - y[1]);
    for (const [tok] of byId) order.add(tok);
    for (const a of [...t.added_tokens].sort((x, y) => x.id - y.id)) {
      if (a.id >= rows[m]! || addedInfo.has(a.content)) continue;
      const info: TokenInfo = { ...a };
      delete info['id'];
      addedInfo.set(a.content, info);
    }
  });
  const base = tokenizers[0]!;
  const out: TokenizerJson = {
    ...base,
    model: { ...base.model },
    added_tokens: base.added_tokens.map((a) => ({ ...a })),
  };
  const ids = tokensOf(out);
  let next = Math.max(-1, ...ids.values()) + 1;
  const add = (info: TokenInfo) => {
    const same = out.added_tokens.find((a) => a.content === info.content);
    if (same && sameSettings(same, info)) return;
    const id = ids.get(info.content) ?? next++;
    ids.set(info.content, id);
    out.added_tokens = out.added_tokens.filter((a) => a.id !== id);
    out.added_tokens.push({ id, ...info });
  };
  const baseTokens = tokensOf(base);
  for (const tok of order)
    if (!addedInfo.has(tok) && !baseTokens.has(tok)) add({ content: tok, ...PLAIN });
  for (const info of addedInfo.values()) add(info);
  out.added_tokens.sort((x, y) => x.id - y.id);
  return out;
}

function sameSettings(a: AddedToken, info: TokenInfo): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(info)].filter((k) => k !== 'id'));
  return [...keys].every((k) => a[k] === info[k]);
}
