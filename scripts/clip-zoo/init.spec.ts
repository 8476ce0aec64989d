import { describe, expect, it } from 'vitest';
import { clipTensorShapes, parseClipConfig } from '../../src/models/clip';
import { clipModelConfig, zooPlan } from './config';
import { initClipParams } from './init';

const cfg = parseClipConfig(
  clipModelConfig(zooPlan('full'), { vocab: 800, bos: 798, eos: 799 }),
  'config.json',
);

function std(data: Float32Array): number {
  let m = 0;
  for (const v of data) m += v / data.length;
  let s = 0;
  for (const v of data) s += (v - m) ** 2 / data.length;
  return Math.sqrt(s);
}

describe('initClipParams', () => {
  const params = initClipParams(cfg, 1);

  it('has every CLIPModel tensor with its shape', () => {
    const shapes = clipTensorShapes(cfg);
    expect([...params.keys()]).toEqual([...shapes.keys()]);
    for (const [name, shape] of shapes) expect(params.get(name)!.shape, name).toEqual(shape);
  });

  // transformers' CLIPPreTrainedModel._init_weights with factor 1 (D = width, L = layers).
  it('draws each kind of tensor with transformers’ standard deviation', () => {
    const D = 64;
    const L = cfg.vision.numLayers;
    const expected: [string, number][] = [
      ['vision_model.encoder.layers.0.self_attn.q_proj.weight', D ** -0.5 * (2 * L) ** -0.5],
      [`vision_model.encoder.layers.${L - 1}.self_attn.out_proj.weight`, D ** -0.5],
      ['vision_model.encoder.layers.0.mlp.fc1.weight', (2 * D) ** -0.5],
      [`vision_model.encoder.layers.${L - 1}.mlp.fc2.weight`, D ** -0.5 * (2 * L) ** -0.5],
      ['text_model.embeddings.token_embedding.weight', 0.02],
      ['vision_model.embeddings.patch_embedding.weight', 0.02],
      ['visual_projection.weight', D ** -0.5],
      ['text_projection.weight', D ** -0.5],
    ];
    for (const [name, s] of expected)
      expect(std(params.get(name)!.data) / s, name).toBeCloseTo(1, 1);
  });

  it('sets layer norms to (1, 0), biases to 0, the logit scale to ln(1/0.07)', () => {
    expect(params.get('vision_model.pre_layrnorm.weight')!.data.every((v) => v === 1)).toBe(true);
    expect(params.get('text_model.final_layer_norm.bias')!.data.every((v) => v === 0)).toBe(true);
    expect(
      params.get('vision_model.encoder.layers.0.mlp.fc1.bias')!.data.every((v) => v === 0),
    ).toBe(true);
    expect(params.get('logit_scale')!.data[0]).toBeCloseTo(Math.log(1 / 0.07), 3);
  });

  it('is a function of the seed', () => {
    const name = 'vision_model.encoder.layers.0.mlp.fc1.weight';
    const again = initClipParams(cfg, 1).get(name)!.data;
    const other = initClipParams(cfg, 2).get(name)!.data;
    expect(Buffer.from(again.buffer).equals(Buffer.from(params.get(name)!.data.buffer))).toBe(true);
    expect(Buffer.from(other.buffer).equals(Buffer.from(again.buffer))).toBe(false);
  });
});
