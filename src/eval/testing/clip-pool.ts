/**
 * Generated CLIP pools in the exact Hugging Face layouts, for tests and the benchmark (nothing
 * is downloaded): a `CLIPModel` base with random weights (HF's init: N(0, 0.02), unit norms),
 * fine-tuned `CLIPVisionModel`s = base vision tower + a seeded small move, and their config
 * files. Deterministic from the seed. Shapes come from src/models/clip's own tensor list.
 */
import { Rng } from '../../data';
import {
  clipTensorShapes,
  clipVisionTensorShapes,
  parseClipConfig,
  type ClipConfig,
} from '../../models';
import type { NamedArray } from '../../models';

export interface ClipPoolShape {
  vision: {
    hidden_size: number;
    intermediate_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    image_size: number;
    patch_size: number;
  };
  text: {
    hidden_size: number;
    intermediate_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    vocab_size: number;
    max_position_embeddings: number;
  };
  projectionDim: number;
}

/** A few thousand parameters: what unit and e2e tests run on. */
export const TINY_CLIP: ClipPoolShape = {
  vision: {
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    image_size: 32,
    patch_size: 8,
  },
  text: {
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    vocab_size: 512,
    max_position_embeddings: 32,
  },
  projectionDim: 16,
};

/** openai/clip-vit-base-patch32's dimensions (≈ 88M vision, 63M text parameters). */
export const VIT_B32_CLIP: ClipPoolShape = {
  vision: {
    hidden_size: 768,
    intermediate_size: 3072,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    image_size: 224,
    patch_size: 32,
  },
  text: {
    hidden_size: 512,
    intermediate_size: 2048,
    num_hidden_layers: 12,
    num_attention_heads: 8,
    vocab_size: 49408,
    max_position_embeddings: 77,
  },
  projectionDim: 512,
};

/** config.json of the base CLIPModel (openai's token ids when the vocabulary is full-size). */
export function clipModelConfigJson(shape: ClipPoolShape, eosTokenId: number, bosTokenId: number) {
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: shape.projectionDim,
    logit_scale_init_value: 2.6592,
    text_config: {
      ...shape.text,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
      bos_token_id: bosTokenId,
      eos_token_id: eosTokenId,
      pad_token_id: eosTokenId,
    },
    vision_config: {
      ...shape.vision,
      num_channels: 3,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
    },
  };
}

/** config.json of a fine-tuned vision tower (FusionBench's CLIPVisionModel folders). */
export function clipVisionConfigJson(shape: ClipPoolShape) {
  return {
    architectures: ['CLIPVisionModel'],
    model_type: 'clip_vision_model',
    ...shape.vision,
    num_channels: 3,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
  };
}

function isNorm(name: string): boolean {
  return /(layer_norm\d?|layrnorm|layernorm|final_layer_norm)\.(weight|bias)$/.test(name);
}

function randomTensor(rng: Rng, name: string, shape: number[]): NamedArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (name === 'logit_scale') data[0] = 2.6592;
  else if (isNorm(name)) data.fill(name.endsWith('.weight') ? 1 : 0);
  else for (let i = 0; i < n; i++) data[i] = 0.02 * rng.normal();
  return { shape, data };
}

export interface GeneratedClipPool {
  baseConfig: ReturnType<typeof clipModelConfigJson>;
  config: ClipConfig;
  base: Map<string, NamedArray>;
  finetunes: Map<string, Map<string, NamedArray>>;
}

/**
 * The base and one fine-tune per task: each fine-tune moves every vision tensor by
 * `scale`·N(0, 1)·(its own RMS, or 0.02 for constants) — a small move, as lr-1e-5 fine-tunes are.
 */
export function generateClipPool(
  shape: ClipPoolShape,
  tasks: readonly string[],
  options: { seed: number; scale?: number; eosTokenId: number; bosTokenId: number },
): GeneratedClipPool {
  const baseConfig = clipModelConfigJson(shape, options.eosTokenId, options.bosTokenId);
  const config = parseClipConfig(baseConfig, 'config.json');
  const rng = new Rng(options.seed, 'clip-pool:base');
  const base = new Map<string, NamedArray>();
  for (const [name, s] of clipTensorShapes(config)) base.set(name, randomTensor(rng, name, s));
  const scale = options.scale ?? 0.05;
  const finetunes = new Map<string, Map<string, NamedArray>>();
  for (const task of tasks) {
    const move = new Rng(options.seed, `clip-pool:${task}`);
    const tuned = new Map<string, NamedArray>();
    for (const name of clipVisionTensorShapes(config).keys()) {
      const b = base.get(name)!;
      const data = new Float32Array(b.data.length);
      for (let i = 0; i < data.length; i++) data[i] = b.data[i]! + scale * 0.02 * move.normal();
      tuned.set(name, { shape: b.shape, data });
    }
    finetunes.set(task, tuned);
  }
  return { baseConfig, config, base, finetunes };
}
