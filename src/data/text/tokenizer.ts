/**
 * CLIP's text tokenizer from the model folder's `tokenizer.json` (+ `tokenizer_config.json`),
 * run by @huggingface/tokenizers (the tokenizers.js engine of transformers.js), which reads
 * the file's normalizer, pre-tokenizer, BPE model and post-processor as HF's Rust library
 * does. This module adds what CLIPTokenizerFast's call with `truncation=True` and padding adds:
 * - every sequence is `<|startoftext|> … <|endoftext|>` (the post-processor's bos/eos);
 * - a sequence longer than the context length keeps its first tokens and ends with eos, as
 *   HF truncation (max_length − 2 content tokens + the specials) and clip.tokenize(…,
 *   truncate=True) do;
 * - padding uses the pad token of tokenizer_config.json (openai/clip-*: `<|endoftext|>`,
 *   id 49407; some LAION exports use `!`, id 0), default `<|endoftext|>`.
 *
 * Padding length does not change zero-shot logits: CLIP's text tower has a causal mask, so
 * no token before the first eos attends to padding, and it pools the hidden state at the
 * first eos (transformers: argmax of input_ids when eos is the largest id, else the first
 * position equal to eos_token_id). So `padding: 'longest'` (FusionBench's choice, padding=True
 * per batch of prompts) and `'max_length'` (77, position embeddings' length) give the same
 * features; 'longest' only saves work.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { END_OF_TEXT, START_OF_TEXT } from './train-bpe';

export interface EncodedBatch {
  /** batch × length token ids, row-major. */
  readonly ids: Int32Array;
  /** 1 for real tokens (bos … eos), 0 for padding. */
  readonly attentionMask: Int32Array;
  readonly batch: number;
  readonly length: number;
}

export interface EncodeOptions {
  /** 'max_length' pads every row to contextLength; 'longest' to the longest row. */
  readonly padding?: 'max_length' | 'longest';
}

export interface ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly vocabSize: number;
  /** Token ids of one text with bos/eos, untruncated. */
  encodeOne(text: string): number[];
  encode(texts: readonly string[], contextLength?: number, options?: EncodeOptions): EncodedBatch;
}

export class TokenizerLoadError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'TokenizerLoadError';
  }
}

function parseJson(text: string, file: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch (e) {
    throw new TokenizerLoadError(file, `not valid JSON (${(e as Error).message})`);
  }
  throw new TokenizerLoadError(file, 'expected a JSON object');
}

/** A special token of tokenizer_config.json: a string or an AddedToken object {content}. */
function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { content?: unknown }).content === 'string'
  ) {
    return (v as { content: string }).content;
  }
  return undefined;
}

export function loadClipTokenizer(
  tokenizerJson: string,
  tokenizerConfigJson?: string,
): ClipTokenizer {
  const json = parseJson(tokenizerJson, 'tokenizer.json');
  const model = json.model as { type?: unknown } | undefined;
  if (!model || model.type !== 'BPE') {
    throw new TokenizerLoadError(
      'tokenizer.json',
      `expected a BPE model, got ${JSON.stringify(model?.type)}`,
    );
  }
  const config = tokenizerConfigJson ? parseJson(tokenizerConfigJson, 'tokenizer_config.json') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (e) {
    throw new TokenizerLoadError('tokenizer.json', `cannot be loaded (${(e as Error).message})`);
  }
  const idOf = (token: string, file: string, field: string) => {
    const id = tokenizer.token_to_id(token);
    if (id === undefined)
      throw new TokenizerLoadError(
        file,
        `${field} ${JSON.stringify(token)} is not in the vocabulary`,
      );
    return id;
  };
  const bosId = idOf(
    tokenContent(config.bos_token) ?? START_OF_TEXT,
    'tokenizer.json',
    'bos token',
  );
  const eosId = idOf(tokenContent(config.eos_token) ?? END_OF_TEXT, 'tokenizer.json', 'eos token');
  const padToken = tokenContent(config.pad_token) ?? END_OF_TEXT;
  const padId = idOf(
    padToken,
    tokenizerConfigJson ? 'tokenizer_config.json' : 'tokenizer.json',
    'pad_token',
  );
  const vocabSize = tokenizer.get_vocab(true).size;

  // The post-processor adds bos/eos; a tokenizer.json without one gets them here.
  const addSpecials = json.post_processor === null || json.post_processor === undefined;
  function encodeOne(text: string): number[] {
    const ids = tokenizer.encode(text).ids;
    return addSpecials ? [bosId, ...ids, eosId] : ids;
  }

  function encode(
    texts: readonly string[],
    contextLength = 77,
    options: EncodeOptions = {},
  ): EncodedBatch {
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new RangeError(
        `context length must be an integer ≥ 2 (bos + eos), got ${contextLength}`,
      );
    }
    const rows = texts.map((t) => {
      const ids = encodeOne(t);
      return ids.length > contextLength ? [...ids.slice(0, contextLength - 1), eosId] : ids;
    });
    const length =
      options.padding === 'longest' ? Math.max(2, ...rows.map((r) => r.length)) : contextLength;
    const ids = new Int32Array(texts.length * length).fill(padId);
    const attentionMask = new Int32Array(texts.length * length);
    rows.forEach((r, i) => {
      ids.set(r, i * length);
      attentionMask.fill(1, i * length, i * length + r.length);
    });
    return { ids, attentionMask, batch: texts.length, length };
  }

  return { bosId, eosId, padId, vocabSize, encodeOne, encode };
}
