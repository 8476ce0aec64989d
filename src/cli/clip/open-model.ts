/**
 * Opens the CLIP folders a command names: the model (`--model`, or each `--finetune`), the
 * optional CLIP base (`--clip`) that completes a vision-only tower, and the files beside them
 * that evaluation needs (`preprocessor_config.json`, `tokenizer.json`, `tokenizer_config.json`)
 * — taken from the CLIP base when given, else from the model folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from '../../io';
import { openCheckpointPath } from '../../io/node';
import { CliUsageError } from '../types';

export interface ClipFolders {
  model: Checkpoint;
  base?: Checkpoint;
  /** Folder whose side files are used. */
  sideFolder: string;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function openClipFolders(modelPath: string, clipPath?: string): Promise<ClipFolders> {
  const model = await openCheckpointPath(modelPath);
  const base = clipPath ? await openCheckpointPath(clipPath) : undefined;
  const side = clipPath ?? modelPath;
  if (!(await isDirectory(side))) {
    throw new CliUsageError(
      `${side}: evaluation needs a Hugging Face folder (config.json, preprocessor_config.json, ` +
        'tokenizer.json beside the weights); a lone .safetensors file has none',
    );
  }
  return { model, base, sideFolder: side };
}

/** A side file's text, or undefined when the folder has no such file. */
export async function readSideFile(folder: string, file: string): Promise<string | undefined> {
  try {
    return await readFile(join(folder, file), 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function readSideJson(folder: string, file: string): Promise<unknown> {
  const text = await readSideFile(folder, file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new CliUsageError(`${join(folder, file)}: not valid JSON`);
  }
}

export async function requireSideFile(folder: string, file: string, why: string): Promise<string> {
  const text = await readSideFile(folder, file);
  if (text === undefined) throw new CliUsageError(`${join(folder, file)}: missing (${why})`);
  return text;
}
