/**
 * What makes a merged folder a loadable Hugging Face checkpoint beside its weights (mergekit
 * does both): the base model's config, preprocessor and tokenizer files, copied as they are,
 * and a model card with the recipe. The source is the recipe's base model, else its first
 * model; a single-file input has no side files, and files it lacks are skipped.
 */
import { readFile, stat } from 'node:fs/promises';
import type { SinkFolder } from '../../io';
import type { OutputChanges } from '../../merge';
import { join } from 'node:path';

export const SIDE_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.json',
  'merges.txt',
  'special_tokens_map.json',
  'added_tokens.json',
  'tokenizer.model',
];

/**
 * Writes those of `names` that `source` holds into the staged output folder (published with
 * the weights as one unit); returns the names written.
 */
export async function copySideFiles(
  source: string,
  out: SinkFolder,
  names: readonly string[] = SIDE_FILES,
): Promise<string[]> {
  if (!(await stat(source).catch(() => null))?.isDirectory()) return [];
  const copied: string[] = [];
  for (const file of names) {
    const from = join(source, file);
    if (!(await stat(from).catch(() => null))?.isFile()) continue;
    await writeBytes(out, file, await readFile(from));
    copied.push(file);
  }
  return copied;
}

/** Every tokenizer file: from tokenizer_source's model when the recipe names one. */
const TOKENIZER_SIDE_FILES = SIDE_FILES.filter(
  (f) => !['config.json', 'generation_config.json', 'preprocessor_config.json'].includes(f),
);

/** config.json keys of the layer count, in mergekit's architecture tables' order of frequency. */
const LAYER_KEYS = ['num_hidden_layers', 'n_layer', 'num_layers', 'text_config.num_hidden_layers'];
const VOCAB_KEYS = ['vocab_size', 'text_config.vocab_size'];

export interface OutputSources {
  /** Folder of the base model (else the first model): config and other side files. */
  config?: string;
  /** Folder of tokenizer_source's model (the base for union). */
  tokenizer?: string;
}

/**
 * Stages the side files of a merged folder as mergekit writes them: config.json with the plan's
 * layer count (slices) and vocabulary size (tokenizer_source), the tokenizer files from the
 * tokenizer_source's model — for union the built tokenizer.json and the base's
 * tokenizer_config.json with its added_tokens_decoder extended, and no slow-tokenizer files
 * (vocab.json, merges.txt, … would not hold the new tokens). Returns the names written and
 * warnings (a config key not found).
 */
export async function stageSideFiles(
  out: SinkFolder,
  from: OutputSources,
  changes: OutputChanges = {},
): Promise<{ written: string[]; warnings: string[] }> {
  const written: string[] = [];
  const warnings: string[] = [];
  let rest = SIDE_FILES;
  if (changes.tokenizer !== undefined) {
    rest = rest.filter((f) => !TOKENIZER_SIDE_FILES.includes(f));
    if (changes.tokenizerBuilt) {
      await writeBytes(out, 'tokenizer.json', json(changes.tokenizer));
      written.push('tokenizer.json');
      const config = await readJson(from.tokenizer, 'tokenizer_config.json');
      if (config) {
        await writeBytes(
          out,
          'tokenizer_config.json',
          json(withAddedTokens(config, changes.tokenizer)),
        );
        written.push('tokenizer_config.json');
      }
      if (from.tokenizer)
        written.push(...(await copySideFiles(from.tokenizer, out, ['special_tokens_map.json'])));
    } else if (from.tokenizer) {
      written.push(...(await copySideFiles(from.tokenizer, out, TOKENIZER_SIDE_FILES)));
    }
  }
  if (changes.numLayers !== undefined || changes.vocabSize !== undefined) {
    rest = rest.filter((f) => f !== 'config.json');
    const config = await readJson(from.config, 'config.json');
    if (config) {
      if (changes.numLayers !== undefined && !setFirst(config, LAYER_KEYS, changes.numLayers))
        warnings.push(
          `config.json has none of ${LAYER_KEYS.join(', ')}: set the layer count (${changes.numLayers}) yourself`,
        );
      if (changes.vocabSize !== undefined && !setFirst(config, VOCAB_KEYS, changes.vocabSize))
        config['vocab_size'] = changes.vocabSize;
      await writeBytes(out, 'config.json', json(config));
      written.push('config.json');
    }
  }
  if (from.config) written.push(...(await copySideFiles(from.config, out, rest)));
  return { written, warnings };
}

/** Sets the first of `keys` (dotted paths) that the config holds; false when none. */
function setFirst(config: Record<string, unknown>, keys: string[], value: number): boolean {
  for (const key of keys) {
    const path = key.split('.');
    let obj = config;
    for (const part of path.slice(0, -1))
      obj = (obj?.[part] ?? undefined) as Record<string, unknown>;
    if (obj && typeof obj === 'object' && path.at(-1)! in obj) {
      obj[path.at(-1)!] = value;
      return true;
    }
  }
  return false;
}

/** tokenizer_config.json's added_tokens_decoder made to list the built tokenizer's added tokens. */
function withAddedTokens(
  config: Record<string, unknown>,
  tokenizer: unknown,
): Record<string, unknown> {
  if (typeof config['added_tokens_decoder'] !== 'object' || config['added_tokens_decoder'] === null)
    return config;
  const decoder: Record<string, unknown> = {};
  for (const { id, ...info } of (tokenizer as { added_tokens: { id: number }[] }).added_tokens)
    decoder[String(id)] = info;
  return { ...config, added_tokens_decoder: decoder };
}

async function readJson(
  folder: string | undefined,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  if (!folder) return undefined;
  const text = await readFile(join(folder, name), 'utf8').catch(() => null);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${join(folder, name)}: not valid JSON (${(e as Error).message})`);
  }
}

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** The model card into the staged output folder. */
export async function stageModelCard(out: SinkFolder, card: string): Promise<void> {
  await writeBytes(out, 'README.md', new TextEncoder().encode(card));
}

/** A recipe beside the weights, as mergekit names it, into the staged output folder. */
export async function stageRecipe(out: SinkFolder, yaml: string): Promise<void> {
  await writeBytes(out, 'mergekit_config.yml', new TextEncoder().encode(yaml));
}

async function writeBytes(out: SinkFolder, name: string, bytes: Uint8Array): Promise<void> {
  const sink = await out.createSink(name);
  await sink.write(bytes);
  await sink.close();
}
