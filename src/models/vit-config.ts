/**
 * The demo zoo's vision transformer: its configuration and its parameter-name scheme. The names
 * say where a tensor lives (`encoder.blocks.3.attn.qkv.weight`, `heads.<task>.weight`) so that
 * merging can exclude the task heads with the plain prefix filter {@link HEAD_PREFIX}.
 *
 * Weights of linear layers are stored `[in, out]` (tfjs matMul order, not PyTorch's `[out, in]`).
 */

export interface VitConfig {
  /** Square input side in pixels (grayscale, one channel). */
  imageSize: number;
  /** Square patch side; imageSize must be a multiple of it. */
  patchSize: number;
  /** Token width. */
  dim: number;
  /** Number of transformer blocks. */
  depth: number;
  /** Attention heads; dim must be a multiple of it. */
  heads: number;
  /** Hidden width of each block's MLP. */
  mlpDim: number;
  /** LayerNorm epsilon. */
  eps: number;
  /**
   * How a task head turns the CLS feature into logits. 'linear' (the default, and what an absent
   * field means): f·W + b. 'cosine': a CLIP-like cosine classifier, s · (f/‖f‖)·(W_c/‖W_c‖) for
   * each class column c, with the fixed scale s = `logitScale` and no bias (the bias tensor is
   * kept in checkpoints for their shape but never read). Fine-tunes under a cosine head can only
   * rotate the feature: no encoder tensor acts as a temperature.
   */
  head?: HeadType;
  /** The fixed logit scale s of a cosine head (default {@link DEFAULT_LOGIT_SCALE}). */
  logitScale?: number;
}

export type HeadType = 'linear' | 'cosine';
export const HEAD_TYPES: readonly HeadType[] = ['linear', 'cosine'];
export const DEFAULT_LOGIT_SCALE = 16;

export function isCosineHead(config: Pick<VitConfig, 'head'>): boolean {
  return config.head === 'cosine';
}

/** The cosine head's logit scale s (meaningless for a linear head). */
export function logitScaleOf(config: Pick<VitConfig, 'logitScale'>): number {
  return config.logitScale ?? DEFAULT_LOGIT_SCALE;
}

export const DEFAULT_VIT_CONFIG: Readonly<VitConfig> = Object.freeze({
  imageSize: 28,
  patchSize: 7,
  dim: 48,
  depth: 4,
  heads: 4,
  mlpDim: 96,
  eps: 1e-5,
});

/** Every tensor whose name starts with this is task-specific and never merged. */
export const HEAD_PREFIX = 'heads.';
export const ENCODER_PREFIX = 'encoder.';

export function headWeightName(task: string): string {
  return `${HEAD_PREFIX}${task}.weight`;
}
export function headBiasName(task: string): string {
  return `${HEAD_PREFIX}${task}.bias`;
}

export function isHeadTensor(name: string): boolean {
  return name.startsWith(HEAD_PREFIX);
}

export function numPatches(config: VitConfig): number {
  const side = config.imageSize / config.patchSize;
  return side * side;
}

export function validateVitConfig(config: VitConfig): void {
  const bad = (why: string): never => {
    throw new Error(`invalid ViT config: ${why}`);
  };
  for (const key of ['imageSize', 'patchSize', 'dim', 'depth', 'heads', 'mlpDim'] as const) {
    if (!Number.isInteger(config[key]) || config[key] <= 0)
      bad(`${key} must be a positive integer`);
  }
  if (config.imageSize % config.patchSize !== 0) bad('imageSize must be a multiple of patchSize');
  if (config.dim % config.heads !== 0) bad('dim must be a multiple of heads');
  if (!(config.eps > 0)) bad('eps must be positive');
  if (config.head !== undefined && !HEAD_TYPES.includes(config.head))
    bad(`head must be one of ${HEAD_TYPES.join(', ')}`);
  if (
    config.logitScale !== undefined &&
    !(Number.isFinite(config.logitScale) && config.logitScale > 0)
  )
    bad('logitScale must be a positive number');
}

/**
 * Name → shape of every encoder tensor, in a fixed (forward) order. Task heads come from
 * {@link headShapes}; {@link parameterShapes} gives both.
 */
export function encoderShapes(config: VitConfig): Map<string, number[]> {
  validateVitConfig(config);
  const { dim, mlpDim, patchSize } = config;
  const shapes = new Map<string, number[]>();
  shapes.set('encoder.patch_embed.weight', [patchSize * patchSize, dim]);
  shapes.set('encoder.patch_embed.bias', [dim]);
  shapes.set('encoder.cls_token', [1, 1, dim]);
  shapes.set('encoder.pos_embed', [1, numPatches(config) + 1, dim]);
  for (let i = 0; i < config.depth; i++) {
    const b = `encoder.blocks.${i}`;
    shapes.set(`${b}.norm1.weight`, [dim]);
    shapes.set(`${b}.norm1.bias`, [dim]);
    shapes.set(`${b}.attn.qkv.weight`, [dim, 3 * dim]);
    shapes.set(`${b}.attn.qkv.bias`, [3 * dim]);
    shapes.set(`${b}.attn.proj.weight`, [dim, dim]);
    shapes.set(`${b}.attn.proj.bias`, [dim]);
    shapes.set(`${b}.norm2.weight`, [dim]);
    shapes.set(`${b}.norm2.bias`, [dim]);
    shapes.set(`${b}.mlp.fc1.weight`, [dim, mlpDim]);
    shapes.set(`${b}.mlp.fc1.bias`, [mlpDim]);
    shapes.set(`${b}.mlp.fc2.weight`, [mlpDim, dim]);
    shapes.set(`${b}.mlp.fc2.bias`, [dim]);
  }
  shapes.set('encoder.norm.weight', [dim]);
  shapes.set('encoder.norm.bias', [dim]);
  return shapes;
}

/** Shapes of one task's head: a linear layer from the CLS feature to `numClasses` logits. */
export function headShapes(
  config: VitConfig,
  task: string,
  numClasses: number,
): Map<string, number[]> {
  return new Map([
    [headWeightName(task), [config.dim, numClasses]],
    [headBiasName(task), [numClasses]],
  ]);
}

/** Encoder tensors followed by each task's head, in that order. */
export function parameterShapes(
  config: VitConfig,
  tasks: ReadonlyArray<{ name: string; numClasses: number }>,
): Map<string, number[]> {
  const shapes = encoderShapes(config);
  for (const task of tasks) {
    for (const [name, shape] of headShapes(config, task.name, task.numClasses))
      shapes.set(name, shape);
  }
  return shapes;
}

export function parameterNames(
  config: VitConfig,
  tasks: ReadonlyArray<{ name: string; numClasses: number }>,
): string[] {
  return [...parameterShapes(config, tasks).keys()];
}

export function countParameters(shapes: Map<string, number[]>): number {
  let n = 0;
  for (const shape of shapes.values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}
