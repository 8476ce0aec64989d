/**
 * Opens the CLIP folders a command names: the model (`--model`, `--base`) and the optional CLIP
 * base (`--clip`) that completes a vision-only tower; their side files (preprocessing,
 * tokenizer) are taken from the CLIP base when given, else from the model folder.
 */
import { stat } from 'node:fs/promises';
import { openClipFolder, sideFile, type ClipFolder, type ClipSideFile } from '../../eval';
import { nodeCheckpointFolder } from '../../io/node';
import { CliUsageError } from '../types';

export interface ClipFolders {
  model: ClipFolder;
  base?: ClipFolder;
}

async function openFolder(path: string): Promise<ClipFolder> {
  const info = await stat(path);
  if (!info.isDirectory()) {
    throw new CliUsageError(
      `${path}: a CLIP checkpoint is a Hugging Face folder (config.json beside the weights, ` +
        'preprocessor_config.json and tokenizer.json for evaluation); a lone file has no config',
    );
  }
  return openClipFolder(nodeCheckpointFolder(path));
}

export async function openClipFolders(modelPath: string, clipPath?: string): Promise<ClipFolders> {
  const model = await openFolder(modelPath);
  const base = clipPath ? await openFolder(clipPath) : undefined;
  return { model, base };
}

/**
 * Opens the folders, runs `use`, and closes their weight files however it ends. The model's
 * tensors are read into memory by `use`, so a command holds the files no longer than that
 * rather than leaving the descriptors to the garbage collector (Node warns about each).
 */
export async function withClipFolders<T>(
  modelPath: string,
  clipPath: string | undefined,
  use: (folders: ClipFolders) => Promise<T>,
): Promise<T> {
  const folders = await openClipFolders(modelPath, clipPath);
  try {
    return await use(folders);
  } finally {
    await Promise.all([folders.model.checkpoint.close(), folders.base?.checkpoint.close()]);
  }
}

/** A side file from the CLIP base, else the model folder; undefined when neither has it. */
export function optionalSide(folders: ClipFolders, file: ClipSideFile): string | undefined {
  return folders.base?.side[file] ?? folders.model.side[file];
}

export function requiredSide(folders: ClipFolders, file: ClipSideFile, why: string): string {
  return sideFile(file, why, folders.base, folders.model);
}
