/**
 * Node only: the zoo's files in Hugging Face layouts — a CLIPModel folder (config.json,
 * model.safetensors, preprocessor_config.json, tokenizer.json), CLIPVisionModel folders, test
 * sets as ImageFolders of PNGs. Every file is written to a temporary name and renamed, so an
 * interrupted build never leaves a half-written file that `--resume` would trust.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encode } from 'fast-png';
import type { RgbImage } from '../../src/data/images/index';
import { SafetensorsWriter } from '../../src/io';
import { nodeFileSink } from '../../src/io/node';
import type { NamedArray } from '../../src/models/tensors';

export async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

export const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** F32 tensors in the map's order (the model's own forward order). */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, NamedArray>,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  const specs = [...tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape }));
  const writer = new SafetensorsWriter(await nodeFileSink(tmp), specs, { format: 'pt' });
  for (const [name, t] of tensors) {
    await writer.writeTensor(
      name,
      new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    );
  }
  await writer.finish();
  await rename(tmp, path);
}

export function pngBytes(image: RgbImage): Uint8Array {
  return encode({
    width: image.width,
    height: image.height,
    data: image.data,
    channels: 3,
    depth: 8,
  });
}

/** One labelled image set as torchvision's ImageFolder: <dir>/<class name>/<nnnn>.png. */
export async function writeImageFolder(
  dir: string,
  classNames: readonly string[],
  images: readonly { label: number; image: RgbImage }[],
): Promise<void> {
  for (const name of classNames) await mkdir(join(dir, name), { recursive: true });
  for (const [i, { label, image }] of images.entries()) {
    await writeAtomic(
      join(dir, classNames[label]!, `${String(i).padStart(4, '0')}.png`),
      pngBytes(image),
    );
  }
}
