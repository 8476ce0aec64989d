/**
 * Seeded initial parameters for the ViT, drawn in plain JS so the numbers are identical on every
 * backend and machine (tfjs's own random ops differ between backends).
 */
import { mix32 } from '../merge';
import { encoderShapes, headShapes, type VitConfig } from './vit-config';

/** Deterministic normal sampler (Box–Muller over a counter-based hash). */
export function normalStream(seed: number): () => number {
  let counter = 0;
  const key = mix32(seed >>> 0);
  const uniform = (): number => ((mix32((key ^ mix32(counter++)) >>> 0) >>> 8) + 0.5) / 16777216;
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function fill(shape: number[], value: (i: number) => number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = value(i);
  return out;
}

/** One tensor's initial values: LN weight 1, biases 0, linear weights LeCun-normal, embeddings N(0, 0.02²). */
export function initTensor(name: string, shape: number[], normal: () => number): Float32Array {
  if (/norm\d?\.weight$/.test(name)) return fill(shape, () => 1);
  if (name.endsWith('.bias')) return fill(shape, () => 0);
  if (name.endsWith('cls_token') || name.endsWith('pos_embed'))
    return fill(shape, () => 0.02 * normal());
  const fanIn = shape[0] ?? 1;
  const std = 1 / Math.sqrt(fanIn);
  return fill(shape, () => std * normal());
}

export function initEncoder(
  config: VitConfig,
  seed: number,
): Map<string, { shape: number[]; data: Float32Array }> {
  const normal = normalStream(seed);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of encoderShapes(config))
    out.set(name, { shape, data: initTensor(name, shape, normal) });
  return out;
}

/** A fresh head; weights are small so the first logits are near uniform. */
export function initHead(
  config: VitConfig,
  task: string,
  numClasses: number,
  seed: number,
): Map<string, { shape: number[]; data: Float32Array }> {
  const normal = normalStream(seed);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of headShapes(config, task, numClasses)) {
    out.set(name, {
      shape,
      data: name.endsWith('.bias') ? fill(shape, () => 0) : fill(shape, () => 0.02 * normal()),
    });
  }
  return out;
}
