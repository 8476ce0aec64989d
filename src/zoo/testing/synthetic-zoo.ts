/**
 * A tiny in-memory zoo for specs and in-page tests: a small ViT base, T "fine-tunes" = base +
 * seeded noise, confident random heads (so entropies are far from their maximum and λ has a
 * gradient), and seeded random images as the unlabeled/labelled test sets.
 */
import { Rng, type GrayImages } from '../../data';
import { initEncoder, initHead, type NamedArray, type VitConfig } from '../../models';
import type { ZooManifest } from '../manifest';
import type { LoadedZoo } from '../load';

export const SYNTHETIC_CONFIG: VitConfig = {
  imageSize: 8,
  patchSize: 4,
  dim: 8,
  depth: 1,
  heads: 2,
  mlpDim: 16,
  eps: 1e-5,
};

export function syntheticZoo(
  options: { tasks?: number; images?: number; seed?: number; config?: VitConfig } = {},
): LoadedZoo {
  const T = options.tasks ?? 3;
  const count = options.images ?? 32;
  const seed = options.seed ?? 7;
  const config = options.config ?? SYNTHETIC_CONFIG;
  const rng = new Rng(seed, 'synthetic-zoo');
  const base = initEncoder(config, seed);
  const names = Array.from({ length: T }, (_, k) => `task${k}`);
  const checkpoints = new Map<string, Map<string, NamedArray>>();
  const testSets = new Map<string, GrayImages>();
  const side = config.imageSize;
  names.forEach((name, k) => {
    const tuned = new Map<string, NamedArray>();
    for (const [n, t] of base)
      tuned.set(n, { shape: t.shape, data: t.data.map((x) => x + 0.3 * rng.normal()) });
    for (const [n, t] of initHead(config, name, 3 + k, seed + k))
      tuned.set(n, { shape: t.shape, data: t.data.map(() => 1.5 * rng.normal()) });
    checkpoints.set(name, tuned);
    const pixels = new Uint8Array(count * side * side).map(() => rng.int(256));
    const labels = new Uint8Array(count).map(() => rng.int(3 + k));
    testSets.set(name, { count, side, pixels, labels });
  });
  const manifest: ZooManifest = {
    format: 'merge-studio-zoo',
    version: 1,
    model: { architecture: 'vit', config },
    headPrefix: 'heads.',
    base: { checkpoint: 'base.safetensors', objective: 'synthetic', headTensors: [] },
    tasks: names.map((name, k) => ({
      name,
      title: name,
      description: 'synthetic',
      classNames: Array.from({ length: 3 + k }, (_, c) => `c${c}`),
      checkpoint: `${name}.safetensors`,
      headTensors: [`heads.${name}.weight`, `heads.${name}.bias`],
      test: { file: `test/${name}.bin`, count, side },
      source: 'procedural',
    })),
    seed,
    provenance: [],
    build: {},
  };
  return { manifest, base, checkpoints, testSets };
}
