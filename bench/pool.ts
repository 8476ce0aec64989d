/**
 * The merge benchmark's model pool: a base and N fine-tunes of identical layout, f32, written
 * once to disk by the project's own safetensors writer and reused while the layout matches.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsWriter } from '../src/io';
import { nodeFileSink } from '../src/io/node';

export interface PoolLayout {
  fineTunes: number;
  tensors: { name: string; shape: number[] }[];
}

/**
 * ≈ targetBytes in all (base + fine-tunes); per layer a width² and a (width/2)² matrix plus a
 * bias: by default 4M and 1M elements. A smaller width (`--matrix`) is for the SVD merges, whose
 * exact SVDs cost O(width³) per tensor and model.
 */
export function poolLayout(targetBytes: number, fineTunes = 8, width = 2048): PoolLayout {
  const perModel = targetBytes / (fineTunes + 1);
  const tensors: { name: string; shape: number[] }[] = [];
  const half = Math.floor(width / 2);
  let bytes = 0;
  for (let layer = 0; bytes < perModel; layer++) {
    const p = `model.layers.${layer}.`;
    tensors.push({ name: `${p}mlp.weight`, shape: [width, width] });
    tensors.push({ name: `${p}mlp.bias`, shape: [width] });
    tensors.push({ name: `${p}attn.weight`, shape: [half, half] });
    bytes += 4 * (width * width + width + half * half);
  }
  return { fineTunes, tensors };
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function layoutBytes(layout: PoolLayout): number {
  return layout.tensors.reduce((n, t) => n + 4 * numel(t.shape), 0) * (layout.fineTunes + 1);
}

export function largestTensorBytes(layout: PoolLayout): number {
  return Math.max(...layout.tensors.map((t) => 4 * numel(t.shape)));
}

/** xorshift32 values in [-1, 1): fast enough to fill gigabytes, deterministic per seed. */
function fillUniform(out: Float32Array, seed: number, scale: number, base?: Float32Array): void {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = ((x >>> 0) / 4294967296) * 2 - 1;
    out[i] = (base ? base[i]! : 0) + scale * u;
  }
}

export const modelFile = (i: number) => (i === 0 ? 'base.safetensors' : `ft${i}.safetensors`);

export async function ensurePool(dir: string, layout: PoolLayout): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const stamp = join(dir, 'layout.json');
  const files = Array.from({ length: layout.fineTunes + 1 }, (_, i) => join(dir, modelFile(i)));
  const wanted = JSON.stringify(layout);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && files.every(existsSync)) {
    return files;
  }
  const specs = layout.tensors.map((t) => ({ ...t, dtype: 'F32' as const }));
  const writers = await Promise.all(
    files.map(async (f) => {
      const w = new SafetensorsWriter(await nodeFileSink(f), specs);
      return w;
    }),
  );
  for (const [ti, t] of layout.tensors.entries()) {
    const base = new Float32Array(numel(t.shape));
    fillUniform(base, 1 + ti * 7919, 0.05);
    await writers[0]!.writeTensor(t.name, new Uint8Array(base.buffer));
    const tuned = new Float32Array(base.length);
    for (let m = 1; m < files.length; m++) {
      fillUniform(tuned, 1 + ti * 7919 + m * 104729, 0.01, base);
      await writers[m]!.writeTensor(t.name, new Uint8Array(tuned.buffer));
    }
  }
  for (const w of writers) await w.finish();
  writeFileSync(stamp, wanted);
  return files;
}
