/**
 * The zoo's sizes at each scale and the HF config files they are written as. `smoke` is what
 * the specs build (seconds); `full` is the real build, sized from measured step times
 * (docs/zoo-v2.md) to fit ≤ 60 min on a quiet 2-core machine.
 */
import { openaiPreprocessorConfigJson } from '../../src/data/images/index';

export type ZooScale = 'smoke' | 'full' | 'full4' | 'hard';

export interface TowerShape {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
}

export interface ZooPlan {
  scale: ZooScale;
  imageSize: number;
  patchSize: number;
  vision: TowerShape;
  text: TowerShape;
  /** Text context length (max_position_embeddings). */
  context: number;
  vocabSize: number;
  projectionDim: number;
  /** Image–caption pairs of the pretraining mixture, and contrastive steps over it. */
  pretrainPairs: number;
  pretrainSteps: number;
  pretrainBatch: number;
  /** Peak learning rate, reached after `pretrainWarmup` linear steps, then cosine to 0. */
  pretrainLr: number;
  pretrainWarmup: number;
  /** Initial log logit scale (CLIP: ln(1/0.07) = 2.6592), and the logit scale's own learning
   * rate as a multiple of pretrainLr (1 = one optimiser for everything, as CLIP). */
  logitScaleInit: number;
  /** Domains a pretraining batch is drawn from (2: half from each; 1: all from one, so every
   * negative is another class of the same domain). */
  pretrainDomainsPerBatch: 1 | 2;
  logitScaleLrMult: number;
  /** House-number captions also use MNIST's zero-shot template ('a photo of the number: "{}".'),
   * so the digit names are seen in the wording the MNIST head is built from. */
  numberTemplateCaptions: boolean;
  /**
   * Share of pretraining images drawn in the tasks' own (hard) form instead of the clean one
   * (0 when absent): a base that has seen the hard forms needs smaller fine-tunes.
   */
  pretrainHardShare?: number;
  /** Training images per task for its fine-tune, Adam steps, batch, learning rate. */
  finetuneTrain: number;
  finetuneSteps: number;
  finetuneBatch: number;
  finetuneLr: number;
  /** When set, fine-tunes warm up linearly over this many steps, then decay by cosine to 0. */
  finetuneWarmup?: number;
  /** Test images per task (ImageFolder of PNGs). */
  testPerTask: number;
}

const SMOKE: ZooPlan = {
  scale: 'smoke',
  imageSize: 32,
  patchSize: 8,
  vision: { hidden: 32, intermediate: 64, layers: 2, heads: 2 },
  text: { hidden: 32, intermediate: 64, layers: 1, heads: 2 },
  context: 20,
  vocabSize: 700,
  projectionDim: 32,
  pretrainPairs: 256,
  pretrainSteps: 6,
  pretrainBatch: 32,
  pretrainLr: 1e-3,
  pretrainWarmup: 2,
  logitScaleInit: 2.6592,
  pretrainDomainsPerBatch: 2,
  logitScaleLrMult: 1,
  numberTemplateCaptions: false,
  finetuneTrain: 64,
  finetuneSteps: 3,
  finetuneBatch: 16,
  finetuneLr: 1e-4,
  testPerTask: 20,
};

const FULL: ZooPlan = {
  scale: 'full',
  imageSize: 32,
  patchSize: 8,
  vision: { hidden: 64, intermediate: 256, layers: 2, heads: 4 },
  text: { hidden: 64, intermediate: 256, layers: 1, heads: 4 },
  context: 20,
  vocabSize: 1000,
  projectionDim: 64,
  pretrainPairs: 32_000,
  pretrainSteps: 1600,
  pretrainBatch: 128,
  pretrainLr: 1e-3,
  pretrainWarmup: 120,
  logitScaleInit: 2.6592,
  pretrainDomainsPerBatch: 2,
  logitScaleLrMult: 1,
  numberTemplateCaptions: false,
  finetuneTrain: 4000,
  finetuneSteps: 300,
  finetuneBatch: 64,
  finetuneLr: 3e-4,
  testPerTask: 500,
};

/**
 * The fourth build's plan (session 14, docs/zoo-v2.md "Fourth build"): digits in MNIST's template
 * in the captions, twice the pretraining, ten times the fine-tuning. Its fine-tunes are far
 * stronger (76 % against 53 %) but its task vectors 3× larger and merging no longer helps, so
 * `full` stays the third build's plan (the published zoo); `--scale full4` rebuilds this one.
 */
const FULL4: ZooPlan = {
  ...FULL,
  scale: 'full4',
  pretrainPairs: 64_000,
  pretrainSteps: 3000,
  pretrainWarmup: 200,
  numberTemplateCaptions: true,
  finetuneTrain: 16_000,
  finetuneSteps: 3000,
};

/**
 * A probe of the next lever (session 15, docs/zoo-v2.md "Fifth build"): the third build's plan
 * with half the pretraining images drawn in the tasks' hard forms, so the base has seen the
 * distributions its fine-tunes are tested on. One change from `full`, to be read against it.
 */
const HARD: ZooPlan = { ...FULL, scale: 'hard', pretrainHardShare: 0.5 };

export function zooPlan(scale: ZooScale): ZooPlan {
  return { smoke: SMOKE, full: FULL, full4: FULL4, hard: HARD }[scale];
}

const ACT = 'quick_gelu';
const EPS = 1e-5;

function visionFields(plan: ZooPlan) {
  const v = plan.vision;
  return {
    hidden_size: v.hidden,
    intermediate_size: v.intermediate,
    num_hidden_layers: v.layers,
    num_attention_heads: v.heads,
    image_size: plan.imageSize,
    patch_size: plan.patchSize,
    num_channels: 3,
    hidden_act: ACT,
    layer_norm_eps: EPS,
  };
}

/** config.json of the base CLIPModel (token ids from the project's own tokenizer). */
export function clipModelConfig(
  plan: ZooPlan,
  tokens: { vocab: number; bos: number; eos: number },
) {
  const t = plan.text;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: plan.projectionDim,
    logit_scale_init_value: plan.logitScaleInit,
    text_config: {
      vocab_size: tokens.vocab,
      hidden_size: t.hidden,
      intermediate_size: t.intermediate,
      num_hidden_layers: t.layers,
      num_attention_heads: t.heads,
      max_position_embeddings: plan.context,
      hidden_act: ACT,
      layer_norm_eps: EPS,
      bos_token_id: tokens.bos,
      eos_token_id: tokens.eos,
      pad_token_id: tokens.eos,
    },
    vision_config: visionFields(plan),
  };
}

/** config.json of a fine-tuned image tower (FusionBench's CLIPVisionModel folders). */
export function clipVisionConfig(plan: ZooPlan) {
  return {
    architectures: ['CLIPVisionModel'],
    model_type: 'clip_vision_model',
    ...visionFields(plan),
  };
}

/**
 * preprocessor_config.json: the images are already imageSize², so resize and crop are the
 * identity and only rescale + OpenAI's mean/std act — the same floats the builder trains on.
 */
export function preprocessorConfig(imageSize: number) {
  return openaiPreprocessorConfigJson(imageSize);
}
