import { describe, expect, it } from 'vitest';
import { parseClipConfig } from './config';
import {
  clipBlockIndex,
  clipTensorShapes,
  clipVisionBlockCount,
  isClipBuffer,
  isVisionEncoderTensor,
} from './tensors';

// ViT-B/32 as openai/clip-vit-base-patch32 ships it (defaults, legacy eos).
const B32 = parseClipConfig({ model_type: 'clip', text_config: { eos_token_id: 2 } }, 'c.json');

describe('clipTensorShapes', () => {
  const shapes = clipTensorShapes(B32);

  it('gives the HF key layout and shapes of ViT-B/32', () => {
    expect(shapes.get('vision_model.embeddings.class_embedding')).toEqual([768]);
    expect(shapes.get('vision_model.embeddings.patch_embedding.weight')).toEqual([768, 3, 32, 32]);
    expect(shapes.get('vision_model.embeddings.position_embedding.weight')).toEqual([50, 768]);
    expect(shapes.get('vision_model.pre_layrnorm.weight')).toEqual([768]);
    expect(shapes.get('vision_model.encoder.layers.11.self_attn.q_proj.weight')).toEqual([
      768, 768,
    ]);
    expect(shapes.get('vision_model.encoder.layers.0.mlp.fc1.weight')).toEqual([3072, 768]);
    expect(shapes.get('vision_model.encoder.layers.0.mlp.fc2.weight')).toEqual([768, 3072]);
    expect(shapes.get('vision_model.post_layernorm.bias')).toEqual([768]);
    expect(shapes.get('visual_projection.weight')).toEqual([512, 768]);
    expect(shapes.get('text_model.embeddings.token_embedding.weight')).toEqual([49408, 512]);
    expect(shapes.get('text_model.embeddings.position_embedding.weight')).toEqual([77, 512]);
    expect(shapes.get('text_model.final_layer_norm.weight')).toEqual([512]);
    expect(shapes.get('text_projection.weight')).toEqual([512, 512]);
    expect(shapes.get('logit_scale')).toEqual([]);
    expect(shapes.has('vision_model.encoder.layers.12.mlp.fc1.weight')).toBe(false);
  });

  it('counts the parameters of openai/clip-vit-base-patch32 (151,277,313)', () => {
    let total = 0;
    for (const shape of shapes.values()) total += shape.reduce((a, b) => a * b, 1);
    expect(total).toBe(151_277_313);
  });

  it('has no text tower or projections for CLIPVisionModel', () => {
    const vision = clipTensorShapes(parseClipConfig({ model_type: 'clip_vision_model' }, 'c'));
    expect([...vision.keys()].every((n) => n.startsWith('vision_model.'))).toBe(true);
    expect(vision.size).toBe(5 + 12 * 16 + 2);
  });
});

describe('clipBlockIndex', () => {
  it.each([
    ['vision_model.embeddings.class_embedding', 0],
    ['vision_model.embeddings.patch_embedding.weight', 0],
    ['vision_model.pre_layrnorm.bias', 0],
    ['vision_model.encoder.layers.0.layer_norm1.weight', 1],
    ['vision_model.encoder.layers.11.mlp.fc2.bias', 12],
    ['vision_model.post_layernorm.weight', 13],
    ['visual_projection.weight', 13],
    ['vision_model.encoder.layers.12.mlp.fc2.bias', null],
    ['text_model.encoder.layers.0.mlp.fc1.weight', null],
    ['logit_scale', null],
    ['vision_model.embeddings.position_ids', null],
  ])('%s → %s', (name, index) => {
    expect(clipBlockIndex(name, B32)).toBe(index);
  });

  it('numbers every vision tensor within the block count', () => {
    const count = clipVisionBlockCount(B32);
    expect(count).toBe(14);
    const seen = new Set<number>();
    for (const name of clipTensorShapes(B32).keys()) {
      const i = clipBlockIndex(name, B32);
      if (isVisionEncoderTensor(name) || name === 'visual_projection.weight') {
        expect(i).not.toBeNull();
        seen.add(i as number);
      } else expect(i).toBeNull();
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
  });

  it('tells the vision encoder and the buffers apart', () => {
    expect(isVisionEncoderTensor('vision_model.encoder.layers.3.self_attn.k_proj.bias')).toBe(true);
    expect(isVisionEncoderTensor('visual_projection.weight')).toBe(false);
    expect(isVisionEncoderTensor('vision_model.embeddings.position_ids')).toBe(false);
    expect(isClipBuffer('text_model.embeddings.position_ids')).toBe(true);
  });
});
