/**
 * What makes a merged folder a loadable Hugging Face checkpoint beside its weights (mergekit
 * does both): the base model's config, preprocessor and tokenizer files, copied as they are,
 * and a model card with the recipe. The source is the recipe's base model, else its first
 * model; a single-file input has no side files, and files it lacks are skipped.
 */
import { readFile, stat } from 'node:fs/promises';
import type { SinkFolder } from '../../io';
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
