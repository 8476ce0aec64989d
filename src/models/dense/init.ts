/**
 * Seeded initial dense-model tensors, in plain JS like ../init.ts (identical on every backend).
 */
import type { Params } from '../../core';
import { initTensor, normalStream } from '../init';
import {
  adapterShapes,
  decoderShapes,
  denseEncoderShapes,
  type DenseConfig,
  type DenseTask,
} from './config';

/** A typical scene depth (the scenes span about 2–9): the depth decoder's starting bias. */
export const DEPTH_BIAS = 6;

export function initDenseEncoder(config: DenseConfig, seed: number): Params {
  const normal = normalStream(seed);
  const out: Params = new Map();
  for (const [name, shape] of denseEncoderShapes(config))
    out.set(name, { shape, data: initTensor(name, shape, normal) });
  return out;
}

/** fc1 LeCun-normal; fc2 small so the first maps are near the bias (depth: DEPTH_BIAS). */
export function initDecoder(config: DenseConfig, task: DenseTask, seed: number): Params {
  const normal = normalStream(seed);
  const out: Params = new Map();
  for (const [name, shape] of decoderShapes(config, task)) {
    const data = name.endsWith('fc2.weight')
      ? Float32Array.from({ length: shape[0]! * shape[1]! }, () => 0.02 * normal())
      : initTensor(name, shape, normal);
    if (name.endsWith('fc2.bias') && task.kind === 'depth') data.fill(DEPTH_BIAS);
    // Normals start facing the viewer (0, 0, 1) rather than at a random direction.
    if (name.endsWith('fc2.bias') && task.kind === 'normals')
      for (let i = 2; i < data.length; i += 3) data[i] = 1;
    out.set(name, { shape, data });
  }
  return out;
}

/** Adapters at identity: A ~ N(0, 1/dim), B = 0, so f(x) + (x·A)·B = f(x) until B learns. */
export function initAdapters(config: DenseConfig, rank: number, seed: number): Params {
  const normal = normalStream(seed);
  const std = 1 / Math.sqrt(config.encoder.dim);
  const out: Params = new Map();
  for (const [name, shape] of adapterShapes(config, rank)) {
    const size = shape[0]! * shape[1]!;
    const data = name.endsWith('.A')
      ? Float32Array.from({ length: size }, () => std * normal())
      : new Float32Array(size);
    out.set(name, { shape, data });
  }
  return out;
}
