/**
 * A SIMO pool's manifest (written by scripts/simo/build.ts): the dense config, how to
 * regenerate its scenes, and its files — the pretrained base, one fine-tune per task (encoder +
 * that task's decoder) and the joint multi-task baseline (encoder + every decoder).
 */
import { validateDenseConfig, type DenseConfig } from './config';

export const SIMO_POOL_FORMAT = 'merge-studio-simo-pool';

export interface SimoManifest {
  format: typeof SIMO_POOL_FORMAT;
  version: 1;
  config: DenseConfig;
  /** The scenes: renderDenseSet(seed, 'train' | 'val' | 'test', count, size). */
  data: { seed: number; size: number; train: number; test: number };
  base: string;
  /** Task name → its fine-tune's file. */
  singles: Record<string, string>;
  joint: string;
  /** How it was built (scale, seed, steps, seconds per stage). */
  build: Record<string, unknown>;
}

export class SimoManifestError extends Error {
  constructor(file: string, why: string) {
    super(`${file}: ${why}`);
    this.name = 'SimoManifestError';
  }
}

/** The manifest checked: format, config, data, and one file per task of the config. */
export function parseSimoManifest(json: unknown, file: string): SimoManifest {
  const bad = (why: string): never => {
    throw new SimoManifestError(file, why);
  };
  if (typeof json !== 'object' || json === null) bad('not a JSON object');
  const m = json as Partial<SimoManifest>;
  if (m.format !== SIMO_POOL_FORMAT) bad(`format must be "${SIMO_POOL_FORMAT}" (a SIMO pool)`);
  if (m.version !== 1) bad('version must be 1');
  if (!m.config) bad('config is missing');
  try {
    validateDenseConfig(m.config!);
  } catch (e) {
    bad((e as Error).message);
  }
  const d = m.data;
  if (!d || ![d.seed, d.size, d.train, d.test].every(Number.isInteger))
    bad('data must have integer seed, size, train and test');
  if (d!.size !== m.config!.encoder.imageSize)
    bad(`data.size ${d!.size} differs from the encoder's imageSize ${m.config!.encoder.imageSize}`);
  if (typeof m.base !== 'string') bad('base (the pretrained encoder file) is missing');
  if (typeof m.joint !== 'string') bad('joint (the multi-task baseline file) is missing');
  for (const t of m.config!.tasks)
    if (typeof m.singles?.[t.name] !== 'string')
      bad(`singles.${t.name} (the fine-tune of task "${t.name}") is missing`);
  return m as SimoManifest;
}
