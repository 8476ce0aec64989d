import { describe, expect, it } from 'vitest';
import { CLIP_ACTIVATIONS, parseClipConfig } from './config';
import { ClipConfigError } from './errors';

const FILE = 'config.json';

describe('parseClipConfig', () => {
  it("applies transformers' defaults to an empty CLIPModel config", () => {
    expect(parseClipConfig({ model_type: 'clip' }, FILE)).toEqual({
      variant: 'CLIPModel',
      vision: {
        hiddenSize: 768,
        intermediateSize: 3072,
        numLayers: 12,
        numHeads: 12,
        imageSize: 224,
        patchSize: 32,
        numChannels: 3,
        hiddenAct: 'quick_gelu',
        layerNormEps: 1e-5,
      },
      text: {
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
      },
      projectionDim: 512,
      logitScaleInit: 2.6592,
    });
  });

  it("reads openai/clip-vit-base-patch32's fields (snake_case → camelCase, legacy eos 2)", () => {
    const cfg = parseClipConfig(
      {
        architectures: ['CLIPModel'],
        model_type: 'clip',
        projection_dim: 512,
        logit_scale_init_value: 2.6592,
        text_config: { bos_token_id: 0, eos_token_id: 2, hidden_act: 'quick_gelu' },
        vision_config: {
          hidden_size: 1024,
          intermediate_size: 4096,
          num_hidden_layers: 24,
          num_attention_heads: 16,
          patch_size: 14,
          image_size: 336,
          layer_norm_eps: 1e-6,
        },
      },
      FILE,
    );
    expect(cfg.vision).toMatchObject({
      hiddenSize: 1024,
      intermediateSize: 4096,
      numLayers: 24,
      numHeads: 16,
      patchSize: 14,
      imageSize: 336,
      layerNormEps: 1e-6,
    });
    expect(cfg.text).toMatchObject({ bosTokenId: 0, eosTokenId: 2, hiddenSize: 512 });
  });

  it('lets text_config_dict override text_config, as transformers does', () => {
    const cfg = parseClipConfig(
      {
        model_type: 'clip',
        text_config: { hidden_size: 512, eos_token_id: 2 },
        text_config_dict: { eos_token_id: 49407 },
      },
      FILE,
    );
    expect(cfg.text?.eosTokenId).toBe(49407);
    expect(cfg.text?.hiddenSize).toBe(512);
  });

  it('reads vision-only configs from the top level', () => {
    const plain = parseClipConfig({ model_type: 'clip_vision_model', hidden_size: 96 }, FILE);
    expect(plain.variant).toBe('CLIPVisionModel');
    expect(plain.text).toBeUndefined();
    expect(plain.vision.hiddenSize).toBe(96);
    const projected = parseClipConfig(
      {
        architectures: ['CLIPVisionModelWithProjection'],
        model_type: 'clip_vision_model',
        projection_dim: 768,
      },
      FILE,
    );
    expect(projected.variant).toBe('CLIPVisionModelWithProjection');
    expect(projected.projectionDim).toBe(768);
  });

  it('takes the variant from architectures when a CLIPConfig holds a vision model', () => {
    const cfg = parseClipConfig(
      { model_type: 'clip', architectures: ['CLIPVisionModel'], vision_config: { patch_size: 16 } },
      FILE,
    );
    expect(cfg.variant).toBe('CLIPVisionModel');
    expect(cfg.text).toBeUndefined();
    expect(cfg.vision.patchSize).toBe(16);
  });

  it.each(CLIP_ACTIVATIONS)('accepts hidden_act %s', (act) => {
    const cfg = parseClipConfig({ model_type: 'clip_vision_model', hidden_act: act }, FILE);
    expect(cfg.vision.hiddenAct).toBe(act);
  });

  const cases: [string, unknown, string][] = [
    [
      'a negative size',
      { model_type: 'clip', vision_config: { hidden_size: -3 } },
      'config.json: vision_config.hidden_size must be a positive integer, got -3',
    ],
    [
      'a fractional layer count',
      { model_type: 'clip', text_config: { num_hidden_layers: 2.5 } },
      'config.json: text_config.num_hidden_layers must be a positive integer, got 2.5',
    ],
    [
      'a string token id',
      { model_type: 'clip', text_config: { eos_token_id: '2' } },
      'config.json: text_config.eos_token_id must be a non-negative integer, got "2"',
    ],
    [
      'an unknown activation',
      { model_type: 'clip_vision_model', hidden_act: 'silu' },
      'config.json: hidden_act "silu" is not supported (supported: quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, relu)',
    ],
    [
      'heads that do not divide the width',
      { model_type: 'clip', vision_config: { hidden_size: 100, num_attention_heads: 12 } },
      'config.json: vision_config.hidden_size 100 is not divisible by vision_config.num_attention_heads 12',
    ],
    [
      'patches that do not tile the image',
      { model_type: 'clip_vision_model', image_size: 100, patch_size: 32 },
      'config.json: image_size 100 is not divisible by patch_size 32',
    ],
    [
      'a zero layer-norm epsilon',
      { model_type: 'clip_vision_model', layer_norm_eps: 0 },
      'config.json: layer_norm_eps must be a positive number, got 0',
    ],
    [
      'another model type',
      { model_type: 'vit' },
      'config.json: model_type must be "clip" or "clip_vision_model", got "vit"',
    ],
    ['not an object', [1, 2], 'config.json: not a JSON object'],
    [
      'a sub-config that is not an object',
      { model_type: 'clip', vision_config: 'big' },
      'config.json: vision_config must be an object, got "big"',
    ],
    [
      'a text-only model',
      { model_type: 'clip_text_model', architectures: ['CLIPTextModel'] },
      'config.json: CLIPTextModel has no vision tower; load the full CLIPModel checkpoint',
    ],
    [
      'CLIPModel with a vision config',
      { model_type: 'clip_vision_model', architectures: ['CLIPModel'] },
      'config.json: architectures says CLIPModel but model_type is "clip_vision_model" (no text_config)',
    ],
  ];
  it.each(cases)('refuses %s, naming file and field', (_, json, message) => {
    expect(() => parseClipConfig(json, FILE)).toThrow(ClipConfigError);
    expect(() => parseClipConfig(json, FILE)).toThrow(message);
  });
});
