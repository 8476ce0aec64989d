import { describe, expect, it } from 'vitest';
import { ClipCheckpointError, ClipConfigError } from './errors';
import { recogniseClip } from './recognise';
import { loadFixture, shapeOf, type ClipFixture } from '../testing/clip-fixtures';

const FILE = 'model.safetensors';

async function fixture(name: Parameters<typeof loadFixture>[0]) {
  const f: ClipFixture = await loadFixture(name);
  return { ...f, names: [...f.model.tensors.keys()], shapes: shapeOf(f.model) };
}

describe('recogniseClip', () => {
  it.each([
    ['clip-quickgelu-legacy-eos', 'CLIPModel'],
    ['clip-gelu-eos-mask', 'CLIPModel'],
    ['clip-vision-with-projection', 'CLIPVisionModelWithProjection'],
  ] as const)('recognises %s as %s (position_ids buffers tolerated)', async (name, variant) => {
    const f = await fixture(name);
    expect(f.names).toContain('vision_model.embeddings.position_ids');
    expect(recogniseClip(f.configJson, f.names, FILE, f.shapes)?.variant).toBe(variant);
  });

  it('recognises a CLIPVisionModel (vision_model.* only)', async () => {
    const f = await fixture('clip-vision-with-projection');
    const config = { ...(f.configJson as object), architectures: ['CLIPVisionModel'] };
    const names = f.names.filter((n) => n.startsWith('vision_model.'));
    expect(recogniseClip(config, names, FILE, f.shapes)?.variant).toBe('CLIPVisionModel');
  });

  it('returns null for checkpoints that are not CLIP', async () => {
    const f = await fixture('clip-vision-with-projection');
    expect(recogniseClip(undefined, ['encoder.blocks.0.attn.qkv.weight'], FILE)).toBeNull();
    // Another model's config is authoritative, even over vision_model.* names.
    expect(recogniseClip({ model_type: 'siglip' }, f.names, FILE)).toBeNull();
    // SigLIP's vision tower has vision_model.* but neither class_embedding nor pre_layrnorm.
    const siglip = ['vision_model.embeddings.patch_embedding.weight', 'vision_model.head.probe'];
    expect(recogniseClip(undefined, siglip, FILE)).toBeNull();
  });

  it('asks for config.json when CLIP tensors come without one', async () => {
    const f = await fixture('clip-vision-with-projection');
    expect(() => recogniseClip(undefined, f.names, FILE)).toThrow(ClipConfigError);
    expect(() => recogniseClip(undefined, f.names, FILE)).toThrow(
      'config.json: missing: model.safetensors holds CLIP tensors',
    );
  });

  it('refuses a CLIPModel config over a vision-only checkpoint', async () => {
    const a = await fixture('clip-quickgelu-legacy-eos');
    const visionOnly = a.names.filter((n) => !n.startsWith('text_model.'));
    expect(() => recogniseClip(a.configJson, visionOnly, FILE, a.shapes)).toThrow(
      'model.safetensors: config.json says CLIPModel but there are no text_model.* tensors',
    );
  });

  it('names the first missing tensor', async () => {
    const a = await fixture('clip-quickgelu-legacy-eos');
    const names = a.names.filter((n) => n !== 'text_projection.weight');
    expect(() => recogniseClip(a.configJson, names, FILE, a.shapes)).toThrow(ClipCheckpointError);
    expect(() => recogniseClip(a.configJson, names, FILE, a.shapes)).toThrow(
      'model.safetensors: text_projection.weight: missing (config.json says CLIPModel)',
    );
  });

  it('names a tensor whose shape the config does not imply', async () => {
    const c = await fixture('clip-vision-with-projection');
    const wrong = 'vision_model.encoder.layers.1.mlp.fc1.weight';
    const shapes = (n: string) => (n === wrong ? [64, 32] : c.shapes(n));
    expect(() => recogniseClip(c.configJson, c.names, FILE, shapes)).toThrow(
      `model.safetensors: ${wrong}: shape [64, 32], but config.json implies [48, 32]`,
    );
    // A config whose width disagrees with every tensor: the first one is named.
    const wider = { ...(c.configJson as object), hidden_size: 64 };
    expect(() => recogniseClip(wider, c.names, FILE, c.shapes)).toThrow(
      'model.safetensors: vision_model.embeddings.class_embedding: shape [32], but config.json implies [64]',
    );
  });

  it('names a layer the config does not have', async () => {
    const c = await fixture('clip-vision-with-projection');
    const names = [...c.names, 'vision_model.encoder.layers.2.mlp.fc1.weight'];
    expect(() => recogniseClip(c.configJson, names, FILE, c.shapes)).toThrow(
      'vision_model.encoder.layers.2.mlp.fc1.weight: config.json gives vision_model only 2 layers',
    );
  });

  it('refuses a CLIP config over tensors without a CLIP vision tower', async () => {
    const a = await fixture('clip-quickgelu-legacy-eos');
    const textOnly = a.names.filter((n) => n.startsWith('text_model.'));
    expect(() => recogniseClip(a.configJson, textOnly, FILE)).toThrow(
      'model.safetensors: config.json describes a CLIPModel but there are no CLIP vision tensors',
    );
  });
});
