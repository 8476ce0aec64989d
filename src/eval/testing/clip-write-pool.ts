/**
 * Node only: writes a generated CLIP pool to disk in the layouts users bring — the base as an
 * HF `CLIPModel` folder (config.json, model.safetensors, preprocessor_config.json,
 * tokenizer.json), each fine-tune as an HF `CLIPVisionModel` folder, and each task's test set
 * as an ImageFolder of PNGs (odd sizes, so resize and centre crop both run).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { openaiPreprocessorConfigJson, Rng } from '../../data';
import { SafetensorsWriter } from '../../io';
import { nodeFileSink } from '../../io/node';
import type { NamedArray } from '../../models';
import { clipVisionConfigJson, type ClipPoolShape, type GeneratedClipPool } from './clip-pool';

async function writeCheckpoint(path: string, tensors: Map<string, NamedArray>): Promise<void> {
  const specs = [...tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape }));
  const writer = new SafetensorsWriter(await nodeFileSink(path), specs);
  for (const [name, t] of tensors)
    await writer.writeTensor(
      name,
      new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    );
  await writer.finish();
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export interface TestSetSpec {
  classNames: string[];
  perClass: number;
  /** Image size before preprocessing (width, height). */
  width: number;
  height: number;
}

/** Seeded noise images whose mean colour depends on the class, as PNG bytes. */
export function classImagePng(rng: Rng, label: number, classes: number, w: number, h: number) {
  const data = new Uint8Array(w * h * 3);
  const hue = (label + 0.5) / classes;
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) {
      const mean = 128 + 80 * Math.sin(2 * Math.PI * (hue + c / 3));
      data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(mean + 40 * rng.normal())));
    }
  }
  return encode({ width: w, height: h, data, channels: 3, depth: 8 });
}

export async function writeImageFolder(
  dir: string,
  spec: TestSetSpec,
  seed: number,
): Promise<void> {
  const rng = new Rng(seed, `images:${dir}`);
  for (const [label, name] of spec.classNames.entries()) {
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < spec.perClass; i++) {
      const png = classImagePng(rng, label, spec.classNames.length, spec.width, spec.height);
      await writeFile(join(dir, name, `${String(i).padStart(4, '0')}.png`), png);
    }
  }
}

export interface WrittenPool {
  base: string;
  finetunes: Map<string, string>;
  data: Map<string, string>;
}

/** Writes base, fine-tunes and test sets under `dir`; returns their paths. */
export async function writeClipPool(
  dir: string,
  shape: ClipPoolShape,
  pool: GeneratedClipPool,
  tokenizerJson: string,
  testSets: Map<string, TestSetSpec>,
  seed: number,
): Promise<WrittenPool> {
  const base = join(dir, 'clip-base');
  await mkdir(base, { recursive: true });
  await writeFile(join(base, 'config.json'), json(pool.baseConfig));
  await writeFile(
    join(base, 'preprocessor_config.json'),
    json(openaiPreprocessorConfigJson(shape.vision.image_size)),
  );
  await writeFile(join(base, 'tokenizer.json'), tokenizerJson);
  await writeCheckpoint(join(base, 'model.safetensors'), pool.base);
  const finetunes = new Map<string, string>();
  for (const [task, tensors] of pool.finetunes) {
    const folder = join(dir, `clip-${task}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), json(clipVisionConfigJson(shape)));
    await writeCheckpoint(join(folder, 'model.safetensors'), tensors);
    finetunes.set(task, folder);
  }
  const data = new Map<string, string>();
  for (const [task, spec] of testSets) {
    const folder = join(dir, 'data', task);
    await writeImageFolder(folder, spec, seed);
    data.set(task, folder);
  }
  return { base, finetunes, data };
}
