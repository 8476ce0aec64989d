/**
 * config.json of a Hugging Face CLIP checkpoint → a typed, validated ClipConfig. Field names and
 * defaults follow transformers' configuration_clip.py (CLIPConfig, CLIPVisionConfig,
 * CLIPTextConfig), so a config that omits a field means what it means to transformers.
 */
import { ClipConfigError } from './errors';

/** MLP activations (transformers' ACT2FN names) the forward implements. */
export type ClipActivation = 'quick_gelu' | 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu';
export const CLIP_ACTIVATIONS: readonly ClipActivation[] = [
  'quick_gelu',
  'gelu',
  'gelu_new',
  'gelu_pytorch_tanh',
  'relu',
];

/** The transformers classes whose checkpoints load (the vision tower is always there). */
export type ClipVariant = 'CLIPModel' | 'CLIPVisionModel' | 'CLIPVisionModelWithProjection';
const VARIANTS: readonly string[] = [
  'CLIPModel',
  'CLIPVisionModel',
  'CLIPVisionModelWithProjection',
];
const TEXT_ONLY = ['CLIPTextModel', 'CLIPTextModelWithProjection'];

export interface ClipVisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  imageSize: number;
  patchSize: number;
  numChannels: number;
  hiddenAct: ClipActivation;
  layerNormEps: number;
}

export interface ClipTextConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  maxPositions: number;
  hiddenAct: ClipActivation;
  layerNormEps: number;
  bosTokenId: number;
  /** 2 in openai's configs: transformers then pools at the argmax of the ids (legacy). */
  eosTokenId: number;
  padTokenId: number;
}

export interface ClipConfig {
  variant: ClipVariant;
  vision: ClipVisionConfig;
  /** Only for CLIPModel. */
  text?: ClipTextConfig;
  /** Width of visual_projection / text_projection (unused by CLIPVisionModel). */
  projectionDim: number;
  /** logit_scale_init_value: the initial log of the logit scale (the checkpoint's own wins). */
  logitScaleInit: number;
}

export const CLIP_VISION_DEFAULTS: Readonly<ClipVisionConfig> = {
  hiddenSize: 768,
  intermediateSize: 3072,
  numLayers: 12,
  numHeads: 12,
  imageSize: 224,
  patchSize: 32,
  numChannels: 3,
  hiddenAct: 'quick_gelu',
  layerNormEps: 1e-5,
};

export const CLIP_TEXT_DEFAULTS: Readonly<ClipTextConfig> = {
  vocabSize: 49408,
  hiddenSize: 512,
  intermediateSize: 2048,
  numLayers: 12,
  numHeads: 8,
  maxPositions: 77,
  hiddenAct: 'quick_gelu',
  layerNormEps: 1e-5,
  bosTokenId: 49406,
  eosTokenId: 49407,
  padTokenId: 1,
};

export const CLIP_PROJECTION_DIM_DEFAULT = 512;
export const CLIP_LOGIT_SCALE_INIT_DEFAULT = 2.6592;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shown(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v));
}

/** Reads fields of one JSON object; errors name `<prefix><key>`. Absent or null → the default. */
class FieldReader {
  constructor(
    private readonly obj: Json,
    private readonly prefix: string,
    private readonly file: string,
  ) {}

  private fail(key: string, what: string, v: unknown): never {
    throw new ClipConfigError(this.file, this.prefix + key, `must be ${what}, got ${shown(v)}`);
  }

  private raw(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  positiveInt(key: string, fallback: number): number {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      this.fail(key, 'a positive integer', v);
    }
    return v;
  }

  nonNegativeInt(key: string, fallback: number): number {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      this.fail(key, 'a non-negative integer', v);
    }
    return v;
  }

  positiveNumber(key: string, fallback: number): number {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      this.fail(key, 'a positive number', v);
    }
    return v;
  }

  finiteNumber(key: string, fallback: number): number {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a finite number', v);
    return v;
  }

  activation(key: string, fallback: ClipActivation): ClipActivation {
    const v = this.raw(key) ?? fallback;
    if (typeof v !== 'string') this.fail(key, 'a string', v);
    if (!(CLIP_ACTIVATIONS as readonly string[]).includes(v)) {
      throw new ClipConfigError(
        this.file,
        this.prefix + key,
        `${shown(v)} is not supported (supported: ${CLIP_ACTIVATIONS.join(', ')})`,
      );
    }
    return v as ClipActivation;
  }

  divisible(key: string, value: number, byKey: string, by: number): void {
    if (value % by !== 0) {
      throw new ClipConfigError(
        this.file,
        this.prefix + key,
        `${value} is not divisible by ${this.prefix}${byKey} ${by}`,
      );
    }
  }
}

function parseVision(obj: Json, prefix: string, file: string): ClipVisionConfig {
  const r = new FieldReader(obj, prefix, file);
  const d = CLIP_VISION_DEFAULTS;
  const cfg: ClipVisionConfig = {
    hiddenSize: r.positiveInt('hidden_size', d.hiddenSize),
    intermediateSize: r.positiveInt('intermediate_size', d.intermediateSize),
    numLayers: r.positiveInt('num_hidden_layers', d.numLayers),
    numHeads: r.positiveInt('num_attention_heads', d.numHeads),
    imageSize: r.positiveInt('image_size', d.imageSize),
    patchSize: r.positiveInt('patch_size', d.patchSize),
    numChannels: r.positiveInt('num_channels', d.numChannels),
    hiddenAct: r.activation('hidden_act', d.hiddenAct),
    layerNormEps: r.positiveNumber('layer_norm_eps', d.layerNormEps),
  };
  r.divisible('hidden_size', cfg.hiddenSize, 'num_attention_heads', cfg.numHeads);
  r.divisible('image_size', cfg.imageSize, 'patch_size', cfg.patchSize);
  return cfg;
}

function parseText(obj: Json, prefix: string, file: string): ClipTextConfig {
  const r = new FieldReader(obj, prefix, file);
  const d = CLIP_TEXT_DEFAULTS;
  const cfg: ClipTextConfig = {
    vocabSize: r.positiveInt('vocab_size', d.vocabSize),
    hiddenSize: r.positiveInt('hidden_size', d.hiddenSize),
    intermediateSize: r.positiveInt('intermediate_size', d.intermediateSize),
    numLayers: r.positiveInt('num_hidden_layers', d.numLayers),
    numHeads: r.positiveInt('num_attention_heads', d.numHeads),
    maxPositions: r.positiveInt('max_position_embeddings', d.maxPositions),
    hiddenAct: r.activation('hidden_act', d.hiddenAct),
    layerNormEps: r.positiveNumber('layer_norm_eps', d.layerNormEps),
    bosTokenId: r.nonNegativeInt('bos_token_id', d.bosTokenId),
    eosTokenId: r.nonNegativeInt('eos_token_id', d.eosTokenId),
    padTokenId: r.nonNegativeInt('pad_token_id', d.padTokenId),
  };
  r.divisible('hidden_size', cfg.hiddenSize, 'num_attention_heads', cfg.numHeads);
  return cfg;
}

/**
 * A sub-config of CLIPConfig. Old configs also carry `<key>_dict`, whose values transformers
 * lets override `<key>` (configuration_clip.py, kept for backward compatibility).
 */
function subConfig(json: Json, key: string, file: string): Json {
  const merged: Json = {};
  for (const k of [key, `${key}_dict`]) {
    const v = json[k];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw new ClipConfigError(file, k, `must be an object, got ${shown(v)}`);
    Object.assign(merged, v);
  }
  return merged;
}

/** The transformers class the config is for: its CLIP entry in `architectures`, else model_type. */
function variantOf(json: Json, modelType: string, file: string): ClipVariant {
  const archs = json['architectures'];
  if (archs !== undefined && archs !== null && !Array.isArray(archs)) {
    throw new ClipConfigError(file, 'architectures', `must be a list, got ${shown(archs)}`);
  }
  const named = (archs ?? []).filter((a): a is string => typeof a === 'string');
  const textOnly = named.find((a) => TEXT_ONLY.includes(a));
  if (modelType === 'clip_text_model' || textOnly) {
    throw new ClipConfigError(
      file,
      undefined,
      `${textOnly ?? 'a CLIP text model'} has no vision tower; load the full CLIPModel checkpoint`,
    );
  }
  const arch = named.find((a) => VARIANTS.includes(a)) as ClipVariant | undefined;
  if (modelType === 'clip_vision_model') {
    if (arch === 'CLIPModel') {
      throw new ClipConfigError(
        file,
        'architectures',
        'says CLIPModel but model_type is "clip_vision_model" (no text_config)',
      );
    }
    return arch ?? 'CLIPVisionModel';
  }
  return arch ?? 'CLIPModel';
}

/** Parses and validates a CLIP config.json (already JSON-parsed). `file` names it in errors. */
export function parseClipConfig(json: unknown, file: string): ClipConfig {
  if (!isObject(json)) throw new ClipConfigError(file, undefined, 'not a JSON object');
  const modelType = json['model_type'];
  if (
    modelType !== 'clip' &&
    modelType !== 'clip_vision_model' &&
    modelType !== 'clip_text_model'
  ) {
    throw new ClipConfigError(
      file,
      'model_type',
      `must be "clip" or "clip_vision_model", got ${shown(modelType)}`,
    );
  }
  const variant = variantOf(json, modelType, file);
  const top = new FieldReader(json, '', file);
  const projectionDim = top.positiveInt('projection_dim', CLIP_PROJECTION_DIM_DEFAULT);
  const logitScaleInit = top.finiteNumber('logit_scale_init_value', CLIP_LOGIT_SCALE_INIT_DEFAULT);
  if (modelType === 'clip_vision_model') {
    return { variant, vision: parseVision(json, '', file), projectionDim, logitScaleInit };
  }
  const vision = parseVision(subConfig(json, 'vision_config', file), 'vision_config.', file);
  if (variant !== 'CLIPModel') return { variant, vision, projectionDim, logitScaleInit };
  const text = parseText(subConfig(json, 'text_config', file), 'text_config.', file);
  return { variant, vision, text, projectionDim, logitScaleInit };
}

/** True when the variant has visual_projection.weight. */
export function hasVisualProjection(cfg: ClipConfig): boolean {
  return cfg.variant !== 'CLIPVisionModel';
}
