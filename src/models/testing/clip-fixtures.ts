/**
 * Test-only: loads a fixture folder written by scripts/reference/clip_reference.py (config.json,
 * model.safetensors, expected.safetensors) through the studio's own safetensors reader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { memorySource, openSafetensors, type SafetensorsFile } from '../../io';

export const FIXTURE_NAMES = [
  'clip-quickgelu-legacy-eos',
  'clip-gelu-eos-mask',
  'clip-vision-with-projection',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export interface ClipFixture {
  configJson: unknown;
  model: SafetensorsFile;
  expected: SafetensorsFile;
}

const ROOT = fileURLToPath(new URL('../clip/fixtures', import.meta.url));

async function open(folder: string, file: string): Promise<SafetensorsFile> {
  return openSafetensors(memorySource(new Uint8Array(readFileSync(join(folder, file))), file));
}

export async function loadFixture(name: FixtureName): Promise<ClipFixture> {
  const folder = join(ROOT, name);
  return {
    configJson: JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as unknown,
    model: await open(folder, 'model.safetensors'),
    expected: await open(folder, 'expected.safetensors'),
  };
}

/** The checkpoint's float tensors as tfjs tensors (int64 buffers skipped); caller disposes. */
export async function fixtureParams(file: SafetensorsFile): Promise<Map<string, tf.Tensor>> {
  const params = new Map<string, tf.Tensor>();
  for (const [name, info] of file.tensors) {
    if (info.dtype !== 'F32') continue;
    params.set(name, tf.tensor(await file.readF32(name), info.shape, 'float32'));
  }
  return params;
}

export async function readI32(file: SafetensorsFile, name: string): Promise<Int32Array> {
  const raw = await file.readRaw(name);
  return new Int32Array(raw.buffer, raw.byteOffset, raw.length / 4);
}

export function shapeOf(file: SafetensorsFile): (name: string) => number[] | undefined {
  return (name) => file.tensors.get(name)?.shape;
}

/** max |a − b| / max(|b|, floor) over the elements. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const diff = Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)) / Math.max(Math.abs(b[i] ?? 0), floor);
    worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff);
  }
  return worst;
}
