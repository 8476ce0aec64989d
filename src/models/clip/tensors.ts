/**
 * The tensors of a CLIP checkpoint in transformers' exact key layout, with their shapes, and the
 * vision tower's block structure (for layer-wise λ, LiNeS and per-block gradient lists).
 * Linear weights are PyTorch's [out, in]; the forward reads them in place.
 */
import { hasVisualProjection, type ClipConfig, type ClipTextConfig } from './config';

export type ShapeMap = Map<string, number[]>;

/** Buffers (int64 position ids) some checkpoints carry; not parameters, ignored. */
export const CLIP_POSITION_ID_BUFFERS = [
  'vision_model.embeddings.position_ids',
  'text_model.embeddings.position_ids',
];

export function isClipBuffer(name: string): boolean {
  return CLIP_POSITION_ID_BUFFERS.includes(name);
}

/** Patch tokens per image: (image / patch)². */
export function clipNumPatches(cfg: ClipConfig): number {
  const side = cfg.vision.imageSize / cfg.vision.patchSize;
  return side * side;
}

/** One pre-LN transformer layer of either tower: `<prefix>.encoder.layers.<i>.*`. */
function addLayer(shapes: ShapeMap, layer: string, hidden: number, inner: number): void {
  for (const norm of ['layer_norm1', 'layer_norm2']) {
    shapes.set(`${layer}.${norm}.weight`, [hidden]);
    shapes.set(`${layer}.${norm}.bias`, [hidden]);
  }
  for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
    shapes.set(`${layer}.self_attn.${proj}.weight`, [hidden, hidden]);
    shapes.set(`${layer}.self_attn.${proj}.bias`, [hidden]);
  }
  shapes.set(`${layer}.mlp.fc1.weight`, [inner, hidden]);
  shapes.set(`${layer}.mlp.fc1.bias`, [inner]);
  shapes.set(`${layer}.mlp.fc2.weight`, [hidden, inner]);
  shapes.set(`${layer}.mlp.fc2.bias`, [hidden]);
}

function addNorm(shapes: ShapeMap, name: string, hidden: number): void {
  shapes.set(`${name}.weight`, [hidden]);
  shapes.set(`${name}.bias`, [hidden]);
}

/** `vision_model.*`, in forward order. */
export function clipVisionTensorShapes(cfg: ClipConfig): ShapeMap {
  const { hiddenSize: h, intermediateSize, numLayers, numChannels, patchSize: p } = cfg.vision;
  const shapes: ShapeMap = new Map();
  shapes.set('vision_model.embeddings.class_embedding', [h]);
  shapes.set('vision_model.embeddings.patch_embedding.weight', [h, numChannels, p, p]);
  shapes.set('vision_model.embeddings.position_embedding.weight', [1 + clipNumPatches(cfg), h]);
  addNorm(shapes, 'vision_model.pre_layrnorm', h);
  for (let i = 0; i < numLayers; i++) {
    addLayer(shapes, `vision_model.encoder.layers.${i}`, h, intermediateSize);
  }
  addNorm(shapes, 'vision_model.post_layernorm', h);
  return shapes;
}

/** `text_model.*`, in forward order. */
export function clipTextTensorShapes(text: ClipTextConfig): ShapeMap {
  const { hiddenSize: h, intermediateSize, numLayers, vocabSize, maxPositions } = text;
  const shapes: ShapeMap = new Map();
  shapes.set('text_model.embeddings.token_embedding.weight', [vocabSize, h]);
  shapes.set('text_model.embeddings.position_embedding.weight', [maxPositions, h]);
  for (let i = 0; i < numLayers; i++) {
    addLayer(shapes, `text_model.encoder.layers.${i}`, h, intermediateSize);
  }
  addNorm(shapes, 'text_model.final_layer_norm', h);
  return shapes;
}

/** Every parameter the variant's checkpoint must hold, name → shape ([] for the scalar). */
export function clipTensorShapes(cfg: ClipConfig): ShapeMap {
  const shapes = clipVisionTensorShapes(cfg);
  if (hasVisualProjection(cfg)) {
    shapes.set('visual_projection.weight', [cfg.projectionDim, cfg.vision.hiddenSize]);
  }
  if (cfg.variant === 'CLIPModel' && cfg.text) {
    for (const [name, shape] of clipTextTensorShapes(cfg.text)) shapes.set(name, shape);
    shapes.set('text_projection.weight', [cfg.projectionDim, cfg.text.hiddenSize]);
    shapes.set('logit_scale', []);
  }
  return shapes;
}

/** A parameter of the vision transformer itself (`vision_model.*`, not the projection). */
export function isVisionEncoderTensor(name: string): boolean {
  return name.startsWith('vision_model.') && !isClipBuffer(name);
}

/** Blocks of the vision tower: embeddings+pre-LN, the L layers, post-LN+projection → L + 2. */
export function clipVisionBlockCount(cfg: ClipConfig): number {
  return cfg.vision.numLayers + 2;
}

const LAYER = /^vision_model\.encoder\.layers\.(\d+)\./;

/**
 * The vision tower's block index of a tensor: 0 for the embeddings and pre_layrnorm, i + 1 for
 * encoder layer i, L + 1 for post_layernorm and visual_projection; null for anything else
 * (text tower, logit_scale, buffers, layers beyond the config).
 */
export function clipBlockIndex(name: string, cfg: ClipConfig): number | null {
  if (isClipBuffer(name)) return null;
  if (
    name.startsWith('vision_model.embeddings.') ||
    name.startsWith('vision_model.pre_layrnorm.')
  ) {
    return 0;
  }
  const layer = LAYER.exec(name);
  if (layer) {
    const i = Number(layer[1]);
    return i < cfg.vision.numLayers ? i + 1 : null;
  }
  if (name.startsWith('vision_model.post_layernorm.') || name === 'visual_projection.weight') {
    return cfg.vision.numLayers + 1;
  }
  return null;
}
