/**
 * The SIMO demo's dense model: the zoo ViT's encoder (`encoder.*`, RGB patches) shared by all
 * tasks, and a light decoder per task (`decoders.<task>.*`): per patch token an MLP to
 * patch² × channels values, laid back onto the pixel grid (a "pixel shuffle" upsampling).
 * Optional representation adapters (`adapters.<block>.A/B`) sit beside every block.
 * Linear weights are `[in, out]` (tfjs matMul order), as in ../vit-config.ts.
 */
import { encoderShapes, ENCODER_PREFIX, type VitConfig } from '../vit-config';

export type DenseTaskKind = 'segmentation' | 'depth' | 'normals';

export interface DenseTask {
  name: string;
  kind: DenseTaskKind;
  /** Segmentation only: number of classes (background included). */
  classes?: number;
}

export interface DenseConfig {
  model_type: typeof DENSE_MODEL_TYPE;
  /** The encoder; its patches are RGB (`channels` = 3). */
  encoder: VitConfig;
  channels: number;
  /** Hidden width of each decoder's MLP. */
  decoderHidden: number;
  tasks: DenseTask[];
}

export const DENSE_MODEL_TYPE = 'merge-studio-dense-vit';
export const DECODER_PREFIX = 'decoders.';
export const ADAPTER_PREFIX = 'adapters.';

export const decoderPrefix = (task: string): string => `${DECODER_PREFIX}${task}.`;

/** Output channels of a task's dense map. */
export function outputChannels(task: DenseTask): number {
  if (task.kind === 'segmentation') return task.classes ?? 0;
  return task.kind === 'depth' ? 1 : 3;
}

export class DenseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DenseConfigError';
  }
}

export function validateDenseConfig(config: DenseConfig): void {
  const bad = (why: string): never => {
    throw new DenseConfigError(`invalid dense model config: ${why}`);
  };
  if (config.model_type !== DENSE_MODEL_TYPE) bad(`model_type must be "${DENSE_MODEL_TYPE}"`);
  if (!Number.isInteger(config.channels) || config.channels <= 0)
    bad('channels must be a positive integer');
  if (!Number.isInteger(config.decoderHidden) || config.decoderHidden <= 0)
    bad('decoderHidden must be a positive integer');
  if (config.tasks.length === 0) bad('tasks is empty');
  const seen = new Set<string>();
  for (const t of config.tasks) {
    if (!/^[A-Za-z0-9_-]+$/.test(t.name)) bad(`task name "${t.name}" must be [A-Za-z0-9_-]+`);
    if (seen.has(t.name)) bad(`task "${t.name}" is listed twice`);
    seen.add(t.name);
    if (!['segmentation', 'depth', 'normals'].includes(t.kind))
      bad(`task "${t.name}": kind must be segmentation, depth or normals`);
    if (t.kind === 'segmentation' && !(Number.isInteger(t.classes) && (t.classes ?? 0) >= 2))
      bad(`task "${t.name}": segmentation needs classes ≥ 2`);
  }
  encoderShapes(config.encoder);
}

/** Encoder tensors: the ViT's, with RGB patch embedding. */
export function denseEncoderShapes(config: DenseConfig): Map<string, number[]> {
  const shapes = encoderShapes(config.encoder);
  const p = config.encoder.patchSize;
  shapes.set(`${ENCODER_PREFIX}patch_embed.weight`, [p * p * config.channels, config.encoder.dim]);
  return shapes;
}

export function decoderShapes(config: DenseConfig, task: DenseTask): Map<string, number[]> {
  const { dim, patchSize: p } = config.encoder;
  const h = config.decoderHidden;
  const pre = decoderPrefix(task.name);
  return new Map([
    [`${pre}fc1.weight`, [dim, h]],
    [`${pre}fc1.bias`, [h]],
    [`${pre}fc2.weight`, [h, p * p * outputChannels(task)]],
    [`${pre}fc2.bias`, [p * p * outputChannels(task)]],
  ]);
}

/** Low-rank adapter of block i: A [dim, rank], B [rank, dim]. */
export function adapterShapes(config: DenseConfig, rank: number): Map<string, number[]> {
  const dim = config.encoder.dim;
  const shapes = new Map<string, number[]>();
  for (let i = 0; i < config.encoder.depth; i++) {
    shapes.set(`${ADAPTER_PREFIX}${i}.A`, [dim, rank]);
    shapes.set(`${ADAPTER_PREFIX}${i}.B`, [rank, dim]);
  }
  return shapes;
}

export function taskOf(config: DenseConfig, name: string): DenseTask {
  const t = config.tasks.find((x) => x.name === name);
  if (!t)
    throw new DenseConfigError(
      `unknown dense task "${name}"; the config has ${config.tasks.map((x) => x.name).join(', ')}`,
    );
  return t;
}
