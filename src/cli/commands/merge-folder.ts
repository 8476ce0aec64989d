/**
 * What makes a merged folder a loadable Hugging Face checkpoint beside its weights (mergekit
 * does both): the base model's config, preprocessor and tokenizer files, copied as they are,
 * and a model card with the recipe. The source is the recipe's base model, else its first
 * model; a single-file input has no side files, and files it lacks are skipped.
 */
import { copyFile, stat, writeFile } from 'node:fs/promises';
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

/** Copies `source`'s side files into `out` (a folder); returns the names copied. */
export async function copySideFiles(source: string, out: string): Promise<string[]> {
  if (!(await stat(source).catch(() => null))?.isDirectory()) return [];
  const copied: string[] = [];
  for (const file of SIDE_FILES) {
    const from = join(source, file);
    if (!(await stat(from).catch(() => null))?.isFile()) continue;
    await copyFile(from, join(out, file));
    copied.push(file);
  }
  return copied;
}

export async function writeModelCard(out: string, card: string): Promise<void> {
  await writeFile(join(out, 'README.md'), card);
}
