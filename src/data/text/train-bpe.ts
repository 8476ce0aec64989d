/**
 * Learns a tiny CLIP-format BPE tokenizer (`tokenizer.json`) from a corpus, so the project can
 * make its own CLIP text tower without downloading OpenAI's 49,408-token vocabulary. The file
 * has the layout of transformers' CLIPTokenizerFast (convert_slow_tokenizer's CLIPConverter):
 * - normalizer NFC → collapse whitespace to one space → lowercase;
 * - pre-tokenizer: CLIP's regex (contractions, letter runs, single digits, other-symbol runs;
 *   whitespace dropped), then ByteLevel without a prefix space;
 * - model BPE over GPT-2's byte alphabet (bytes_to_unicode) with `</w>` marking a word's end;
 *   the vocabulary is ordered as OpenAI's: 256 byte symbols, the same with `</w>`, the merged
 *   tokens in merge order, then `<|startoftext|>` and `<|endoftext|>`;
 * - post-processor adding `<|startoftext|>` … `<|endoftext|>`.
 *
 * Training is plain BPE (Sennrich et al.): count adjacent symbol pairs over the corpus's words
 * (weighted by word frequency), merge the most frequent, repeat. Ties are broken by the
 * smaller pair: the left symbol first, then the right, compared as JS strings (UTF-16 code
 * units), so the result is deterministic and independent of Map iteration order.
 */

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
export const END_OF_WORD = '</w>';

/** CLIP's pre-tokenizer regex (HF's tokenizer.json spelling, Oniguruma syntax). */
export const CLIP_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

/** The same pattern for JavaScript (u flag), used to split the training corpus. */
const CLIP_SPLIT_JS = /'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/gu;

/**
 * GPT-2/CLIP's reversible byte → printable character map: printable Latin-1 bytes map to
 * themselves, the other 68 to U+0100 onwards in byte order.
 */
export function bytesToUnicode(): string[] {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) {
    out.push(String.fromCodePoint(printable(b) ? b : 256 + next++));
  }
  return out;
}

export interface ClipBpeOptions {
  /** Pairs seen fewer times than this are never merged (default 2). */
  readonly minFrequency?: number;
}

export class BpeTrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BpeTrainingError';
  }
}

/**
 * The 512 base symbols in OpenAI's order (`list(bytes_to_unicode().values())`): the printable
 * bytes' symbols first (so "!" is id 0), then the remapped ones; then each with `</w>`.
 */
function baseVocabulary(): string[] {
  const symbols = bytesToUnicode();
  const bytes = [...symbols.keys()];
  const printable = bytes.filter((b) => symbols[b]!.codePointAt(0) === b);
  const remapped = bytes.filter((b) => symbols[b]!.codePointAt(0) !== b);
  const ordered = [...printable, ...remapped].map((b) => symbols[b]!);
  return [...ordered, ...ordered.map((s) => s + END_OF_WORD)];
}

/** CLIP's normalizer, as the tokenizer.json below declares it. */
export function clipNormalize(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').toLowerCase();
}

/** Word → count, each word as its byte symbols with `</w>` on the last. */
function countWords(corpus: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of corpus) {
    for (const m of clipNormalize(line).matchAll(CLIP_SPLIT_JS)) {
      counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
    }
  }
  return counts;
}

function wordSymbols(word: string, byteChars: string[]): string[] {
  const symbols = [...new TextEncoder().encode(word)].map((b) => byteChars[b]!);
  symbols[symbols.length - 1] += END_OF_WORD;
  return symbols;
}

interface Word {
  symbols: string[];
  readonly count: number;
}

/** The most frequent adjacent pair (ties: smaller left, then smaller right), or undefined. */
function bestPair(words: readonly Word[], minFrequency: number): [string, string] | undefined {
  const counts = new Map<string, number>();
  for (const w of words) {
    for (let i = 0; i + 1 < w.symbols.length; i++) {
      // "\u0000" never occurs in a byte symbol, so the key is unambiguous.
      const key = `${w.symbols[i]}\u0000${w.symbols[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + w.count);
    }
  }
  let best: [string, string] | undefined;
  let bestCount = 0;
  for (const [key, n] of counts) {
    if (n < minFrequency) continue;
    const [a, b] = key.split('\u0000') as [string, string];
    const smaller = best !== undefined && (a < best[0] || (a === best[0] && b < best[1]));
    if (n > bestCount || (n === bestCount && smaller)) {
      best = [a, b];
      bestCount = n;
    }
  }
  return best;
}

/** Replaces each non-overlapping (a, b), left to right, by a+b. */
function applyMerge(symbols: string[], a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
      out.push(a + b);
      i++;
    } else {
      out.push(symbols[i]!);
    }
  }
  return out;
}

/**
 * Learns merges until the vocabulary (with the two special tokens) has `vocabSize` entries or
 * no pair occurs minFrequency times. A merge whose result already exists (a+bc after ab+c) is
 * kept — the BPE needs it — but adds no vocabulary entry.
 */
export function learnClipMerges(
  corpus: readonly string[],
  vocabSize: number,
  options: ClipBpeOptions = {},
): { vocab: string[]; merges: [string, string][] } {
  const minFrequency = options.minFrequency ?? 2;
  if (!Number.isInteger(vocabSize) || vocabSize < 514) {
    throw new BpeTrainingError(
      `vocabSize must be an integer ≥ 514 (512 byte symbols + 2 special), got ${vocabSize}`,
    );
  }
  const byteChars = bytesToUnicode();
  const vocab = baseVocabulary();
  const known = new Set(vocab);
  const words: Word[] = [...countWords(corpus)].map(([w, count]) => ({
    symbols: wordSymbols(w, byteChars),
    count,
  }));
  const merges: [string, string][] = [];
  while (vocab.length + 2 < vocabSize) {
    const pair = bestPair(words, minFrequency);
    if (!pair) break;
    merges.push(pair);
    for (const w of words) w.symbols = applyMerge(w.symbols, pair[0], pair[1]);
    const merged = pair[0] + pair[1];
    if (!known.has(merged)) {
      known.add(merged);
      vocab.push(merged);
    }
  }
  return { vocab, merges };
}

/** A CLIP-format tokenizer.json (string) learned from the corpus. */
export function buildClipTokenizerJson(
  corpus: readonly string[],
  vocabSize: number,
  options: ClipBpeOptions = {},
): string {
  const { vocab, merges } = learnClipMerges(corpus, vocabSize, options);
  const ids: Record<string, number> = {};
  vocab.forEach((token, i) => (ids[token] = i));
  const bos = vocab.length;
  const eos = vocab.length + 1;
  ids[START_OF_TEXT] = bos;
  ids[END_OF_TEXT] = eos;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(bos, START_OF_TEXT), special(eos, END_OF_TEXT)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: CLIP_SPLIT_PATTERN },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [END_OF_TEXT, eos],
      cls: [START_OF_TEXT, bos],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: END_OF_TEXT,
      continuing_subword_prefix: '',
      end_of_word_suffix: END_OF_WORD,
      fuse_unk: false,
      byte_fallback: false,
      vocab: ids,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  return JSON.stringify(json);
}
