import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memorySource, openSafetensors } from '../io';
import { recogniseArchitecture, requireArchitecture } from './architectures';
import { loadFixture } from './testing/clip-fixtures';

describe('architecture registry', () => {
  it('recognises a CLIP checkpoint: vision tower merged, the rest left, blocks 0 … L+1', async () => {
    const fx = await loadFixture('clip-quickgelu-legacy-eos');
    const names = [...fx.model.tensors.keys()];
    const arch = requireArchitecture({
      config: fx.configJson,
      tensorNames: names,
      file: 'fixture',
      shapeOf: (n) => fx.model.tensors.get(n)?.shape,
    });
    expect(arch.id).toBe('clip');
    expect(arch.variant).toBe('CLIPModel');
    const layers = (fx.configJson as { vision_config: { num_hidden_layers: number } }).vision_config
      .num_hidden_layers;
    expect(arch.blocks).toBe(layers + 2);
    expect(arch.isMerged('vision_model.encoder.layers.0.mlp.fc1.weight')).toBe(true);
    expect(arch.isMerged('text_model.encoder.layers.0.mlp.fc1.weight')).toBe(false);
    expect(arch.isMerged('visual_projection.weight')).toBe(false);
    expect(arch.blockOf('vision_model.embeddings.class_embedding')).toBe(0);
    expect(arch.blockOf('vision_model.encoder.layers.1.mlp.fc1.weight')).toBe(2);
    expect(arch.blockOf('vision_model.post_layernorm.weight')).toBe(layers + 1);
    // What the recipe leaves as the base has it covers every non-merged tensor of the checkpoint.
    for (const n of names.filter((n) => !arch.isMerged(n) && !n.endsWith('position_ids')))
      expect(arch.unmerged.some((u) => n.includes(u))).toBe(true);
  });

  it("recognises the demo zoo's ViT from its tensor names: encoder merged, heads not", async () => {
    const bytes = new Uint8Array(readFileSync('public/zoo/mnist.safetensors'));
    const file = await openSafetensors(memorySource(bytes, 'mnist.safetensors'));
    const arch = requireArchitecture({
      config: undefined,
      tensorNames: [...file.tensors.keys()],
      file: 'mnist.safetensors',
    });
    expect(arch.id).toBe('merge-studio-vit');
    expect(arch.blocks).toBe(4);
    expect(arch.isMerged('encoder.blocks.3.mlp.fc1.weight')).toBe(true);
    expect(arch.isMerged('heads.mnist.weight')).toBe(false);
    expect(arch.blockOf('encoder.blocks.2.attn.qkv.weight')).toBe(2);
  });

  it('an unknown checkpoint: null, and jobs that need one name the supported architectures', () => {
    const input = {
      config: { model_type: 'llama' },
      tensorNames: ['model.layers.0.mlp.up_proj.weight'],
      file: 'llama',
    };
    expect(recogniseArchitecture(input)).toBeNull();
    expect(() => requireArchitecture(input)).toThrow(
      /llama: evaluation and AdaMerging need a supported architecture; supported: Hugging Face CLIP .*demo-zoo ViT/,
    );
  });
});
