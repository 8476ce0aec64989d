/**
 * An ImageFolder test set (torchvision's convention): `<root>/<class>/<images>`, class index =
 * position of the class folder in sorted order; images anywhere below a class folder belong
 * to it. Images directly in the root, with no class folders, are an unlabelled set.
 */
import type { DataFolder } from '../../io';
import type { ClipPreprocessConfig } from './clip-preprocess';
import {
  preprocessBatches,
  type BatchOptions,
  type EncodedImage,
  type ImageBatch,
} from './batches';

export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

export interface ImageFolderItem {
  /** Relative POSIX path inside the folder. */
  readonly path: string;
  readonly label: number | null;
}

export interface ImageFolderDataset {
  readonly folder: DataFolder;
  /** Sorted class folder names; null for an unlabelled set. */
  readonly classNames: string[] | null;
  readonly items: ImageFolderItem[];
  /** Files that are not images (by extension) or not in a usable place, skipped. */
  readonly skipped: string[];
}

export interface ImageFolderOptions {
  /** Lower-case extensions with the dot; default .png .jpg .jpeg. */
  readonly extensions?: readonly string[];
}

export class ImageFolderError extends Error {
  constructor(
    readonly folder: string,
    problem: string,
  ) {
    super(`${folder}: ${problem}`);
    this.name = 'ImageFolderError';
  }
}

/** Python's sorted() order for str: by code point (JS sort compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done === y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

function isImagePath(path: string, extensions: readonly string[]): boolean {
  const lower = path.toLowerCase();
  return extensions.some((e) => lower.endsWith(e));
}

/** Lists and labels the images; validates before any decoding. */
export async function readImageFolder(
  folder: DataFolder,
  options: ImageFolderOptions = {},
): Promise<ImageFolderDataset> {
  const extensions = options.extensions ?? IMAGE_EXTENSIONS;
  const files = await folder.listRecursive();
  if (files.length === 0) throw new ImageFolderError(folder.name, 'the folder is empty');
  const rootImages: string[] = [];
  const byClass = new Map<string, string[]>();
  const skipped: string[] = [];
  for (const path of files) {
    const slash = path.indexOf('/');
    if (slash < 0) {
      if (isImagePath(path, extensions)) rootImages.push(path);
      else skipped.push(path);
      continue;
    }
    const cls = path.slice(0, slash);
    const list = byClass.get(cls) ?? [];
    byClass.set(cls, list);
    if (isImagePath(path, extensions)) list.push(path);
    else skipped.push(path);
  }
  const exts = extensions.join(' ');
  if (byClass.size === 0) {
    if (rootImages.length === 0) {
      throw new ImageFolderError(folder.name, `no images (${exts}) in the folder`);
    }
    return {
      folder,
      classNames: null,
      items: rootImages.map((path) => ({ path, label: null })),
      skipped,
    };
  }
  const classNames = [...byClass.keys()].sort(compareCodePoints);
  const empty = classNames.filter((c) => byClass.get(c)!.length === 0);
  if (empty.length > 0) {
    const shown = empty.slice(0, 5).join(', ') + (empty.length > 5 ? ', …' : '');
    throw new ImageFolderError(
      folder.name,
      `class folder${empty.length > 1 ? 's' : ''} with no images (${exts}): ${shown}`,
    );
  }
  // With class folders, images loose in the root have no label: torchvision ignores them too.
  skipped.push(...rootImages);
  const items = classNames.flatMap((c, label) =>
    byClass
      .get(c)!
      .sort(compareCodePoints)
      .map((path) => ({ path, label })),
  );
  return { folder, classNames, items, skipped };
}

/** The dataset's files as encoded images, read one at a time. */
export async function* imageFolderImages(
  dataset: ImageFolderDataset,
): AsyncGenerator<EncodedImage> {
  for (const item of dataset.items) {
    let bytes: Uint8Array | Error;
    try {
      const source = await dataset.folder.open(item.path);
      try {
        bytes = await source.read(0, source.size);
      } finally {
        // Node sources hold a file descriptor: release it before the next file.
        await (source as { close?: () => Promise<void> }).close?.();
      }
    } catch (e) {
      bytes = e instanceof Error ? e : new Error(String(e));
    }
    yield { name: item.path, bytes, label: item.label };
  }
}

/** Decoded, preprocessed batches of an ImageFolder dataset (broken images reported, skipped). */
export function imageFolderBatches(
  dataset: ImageFolderDataset,
  cfg: ClipPreprocessConfig,
  options: BatchOptions,
): AsyncGenerator<ImageBatch> {
  return preprocessBatches(imageFolderImages(dataset), cfg, options);
}
