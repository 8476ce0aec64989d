/** A tiny SIMO pool's tensors for specs: a base and per task a seeded fine-tune with its decoder. */
import type { Params } from '../../core';
import { initDecoder, initDenseEncoder } from '../dense/init';
import type { DenseConfig } from '../dense/config';
import { SIMO_POOL_FORMAT, type SimoManifest } from '../dense/manifest';

/** The base encoder moved by a seeded task vector, plus the decoders of `tasks`. */
function tuned(config: DenseConfig, base: Params, shift: number, tasks: DenseConfig['tasks']) {
  const out: Params = new Map();
  for (const [k, v] of base)
    out.set(k, { shape: v.shape, data: v.data.map((x, i) => x + shift * Math.sin(i + shift * 7)) });
  for (const t of tasks) for (const [k, v] of initDecoder(config, t, 3)) out.set(k, v);
  return out;
}

/** base, seg, depth, normals (one task each) and joint (every decoder) of tinyDenseConfig. */
export function tinySimoPoolParams(config: DenseConfig): Record<string, Params> {
  const base = initDenseEncoder(config, 1);
  return {
    base,
    seg: tuned(config, base, 0.05, [config.tasks[0]!]),
    depth: tuned(config, base, 0.03, [config.tasks[1]!]),
    normals: tuned(config, base, 0.04, [config.tasks[2]!]),
    joint: tuned(config, base, 0.02, config.tasks),
  };
}

/** The manifest of the tiny pool: base, three single-task models and the joint one, by file name. */
export function tinySimoManifest(config: DenseConfig): SimoManifest {
  return {
    format: SIMO_POOL_FORMAT,
    version: 1,
    config,
    data: { seed: 0, size: 8, train: 40, test: 6 },
    base: 'base.safetensors',
    singles: { seg: 'seg.safetensors', depth: 'depth.safetensors', normals: 'normals.safetensors' },
    joint: 'joint.safetensors',
    build: {},
  };
}
