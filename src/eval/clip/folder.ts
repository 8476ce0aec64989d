/**
 * A CLIP checkpoint folder as the CLI (a Node directory) and the studio (a dropped folder, a
 * directory handle) both open it: the checkpoint plus the side files evaluation needs —
 * `preprocessor_config.json`, `tokenizer.json`, `tokenizer_config.json` — read as text, small
 * and bounded, and only when present.
 */
import { openCheckpointFolder, type Checkpoint, type CheckpointFolder } from '../../io';
import { ClipEvalError } from './errors';

export const CLIP_SIDE_FILES = [
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
] as const;
export type ClipSideFile = (typeof CLIP_SIDE_FILES)[number];

/** A tokenizer.json of a 49k-token BPE is ≈ 3.5 MB; refuse absurd side files. */
const MAX_SIDE_FILE_BYTES = 32 * 1024 * 1024;

export interface ClipFolder {
  name: string;
  checkpoint: Checkpoint;
  /** The side files present, as text. */
  side: Partial<Record<ClipSideFile, string>>;
}

export async function openClipFolder(folder: CheckpointFolder): Promise<ClipFolder> {
  const checkpoint = await openCheckpointFolder(folder);
  const names = new Set(await folder.list());
  const side: Partial<Record<ClipSideFile, string>> = {};
  for (const file of CLIP_SIDE_FILES) {
    if (!names.has(file)) continue;
    const source = await folder.open(file);
    try {
      if (source.size > MAX_SIDE_FILE_BYTES)
        throw new ClipEvalError(`${folder.name}/${file}: ${source.size} bytes is too large`);
      side[file] = new TextDecoder().decode(await source.read(0, source.size));
    } finally {
      await (source as { close?: () => Promise<void> }).close?.();
    }
  }
  return { name: folder.name, checkpoint, side };
}

/** The side file from the CLIP base when given, else from the model folder; or a clear error. */
export function sideFile(
  file: ClipSideFile,
  why: string,
  ...folders: (ClipFolder | undefined)[]
): string {
  for (const f of folders) {
    const text = f?.side[file];
    if (text !== undefined) return text;
  }
  const where = folders.filter(Boolean).map((f) => f!.name);
  throw new ClipEvalError(`${where.join(' / ')}: no ${file} (${why})`);
}
