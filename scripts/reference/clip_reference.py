"""Reference values for src/models/clip: tiny random CLIP checkpoints in transformers' exact layout
and what transformers' CLIP computes on them.

No transformers here, so this is an independent plain-torch implementation of the semantics of
transformers' modeling_clip.py (CLIPVisionTransformer, CLIPTextTransformer, CLIPModel.forward),
computed in float64 from float32 weights. Writes, for each config, a folder
src/models/clip/fixtures/<name>/ with config.json, model.safetensors (the checkpoint, with the
int64 position_ids buffers old checkpoints carry) and expected.safetensors (inputs and outputs).

Run: /usr/bin/python3 scripts/reference/clip_reference.py
"""
import json
import math
import os
import re
import struct

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'models', 'clip', 'fixtures')

DTYPES = {torch.float32: 'F32', torch.int32: 'I32', torch.int64: 'I64'}


def write_safetensors(path, tensors):
    """8-byte little-endian header length, JSON header, then the raw little-endian bytes."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        data = t.numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def pretty_json(obj):
    """indent=2 with short lists of scalars on one line, as the repo's Prettier formats JSON."""
    text = json.dumps(obj, indent=2)
    text = re.sub(r'\[\s+([^\[\]{}]*?)\s+\]',
                  lambda m: '[' + ', '.join(x.strip() for x in m.group(1).split(',')) + ']', text)
    return re.sub(r'(\d)e-0(\d)', r'\1e-\2', text) + '\n'  # 1e-05 → 1e-5, as Prettier


# ---------------------------------------------------------------- random checkpoints

def rand(gen, shape, std, mean=0.0):
    return (torch.randn(shape, generator=gen, dtype=torch.float64) * std + mean).float()


def add_layer(params, gen, prefix, hidden, inner):
    for norm in ('layer_norm1', 'layer_norm2'):
        params[f'{prefix}.{norm}.weight'] = rand(gen, [hidden], 0.2, 1.0)
        params[f'{prefix}.{norm}.bias'] = rand(gen, [hidden], 0.1)
    for proj in ('q_proj', 'k_proj', 'v_proj', 'out_proj'):
        params[f'{prefix}.self_attn.{proj}.weight'] = rand(gen, [hidden, hidden], 1.2 / math.sqrt(hidden))
        params[f'{prefix}.self_attn.{proj}.bias'] = rand(gen, [hidden], 0.1)
    params[f'{prefix}.mlp.fc1.weight'] = rand(gen, [inner, hidden], 1.5 / math.sqrt(hidden))
    params[f'{prefix}.mlp.fc1.bias'] = rand(gen, [inner], 0.3)
    params[f'{prefix}.mlp.fc2.weight'] = rand(gen, [hidden, inner], 1.0 / math.sqrt(inner))
    params[f'{prefix}.mlp.fc2.bias'] = rand(gen, [hidden], 0.1)


def vision_params(gen, v):
    h, p, c = v['hidden_size'], v['patch_size'], v.get('num_channels', 3)
    positions = 1 + (v['image_size'] // p) ** 2
    params = {
        'vision_model.embeddings.class_embedding': rand(gen, [h], 0.5),
        'vision_model.embeddings.patch_embedding.weight': rand(gen, [h, c, p, p], 1.0 / math.sqrt(c * p * p)),
        'vision_model.embeddings.position_embedding.weight': rand(gen, [positions, h], 0.5),
        'vision_model.pre_layrnorm.weight': rand(gen, [h], 0.2, 1.0),
        'vision_model.pre_layrnorm.bias': rand(gen, [h], 0.1),
    }
    for i in range(v['num_hidden_layers']):
        add_layer(params, gen, f'vision_model.encoder.layers.{i}', h, v['intermediate_size'])
    params['vision_model.post_layernorm.weight'] = rand(gen, [h], 0.2, 1.0)
    params['vision_model.post_layernorm.bias'] = rand(gen, [h], 0.1)
    buffers = {'vision_model.embeddings.position_ids': torch.arange(positions, dtype=torch.int64)[None]}
    return params, buffers


def text_params(gen, t):
    h = t['hidden_size']
    params = {
        'text_model.embeddings.token_embedding.weight': rand(gen, [t['vocab_size'], h], 0.5),
        'text_model.embeddings.position_embedding.weight': rand(gen, [t['max_position_embeddings'], h], 0.5),
    }
    for i in range(t['num_hidden_layers']):
        add_layer(params, gen, f'text_model.encoder.layers.{i}', h, t['intermediate_size'])
    params['text_model.final_layer_norm.weight'] = rand(gen, [h], 0.2, 1.0)
    params['text_model.final_layer_norm.bias'] = rand(gen, [h], 0.1)
    buffers = {'text_model.embeddings.position_ids':
               torch.arange(t['max_position_embeddings'], dtype=torch.int64)[None]}
    return params, buffers


# ---------------------------------------------------------------- transformers' semantics

def act(x, name):
    if name == 'quick_gelu':
        return x * torch.sigmoid(1.702 * x)
    if name == 'gelu':
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ('gelu_new', 'gelu_pytorch_tanh'):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == 'relu':
        return torch.relu(x)
    raise ValueError(name)


def layer_norm(x, P, name, eps):
    return F.layer_norm(x, x.shape[-1:], P[f'{name}.weight'], P[f'{name}.bias'], eps)


def linear(x, P, name, bias=True):
    return F.linear(x, P[f'{name}.weight'], P[f'{name}.bias'] if bias else None)


def encoder_layer(x, P, prefix, heads, act_name, eps, allowed=None):
    """CLIPEncoderLayer: pre-LN attention and MLP with residuals. allowed: [B, 1, T, T] bool."""
    b, t, d = x.shape
    hd = d // heads
    h = layer_norm(x, P, f'{prefix}.layer_norm1', eps)
    a = f'{prefix}.self_attn'

    def split(name):
        return linear(h, P, f'{a}.{name}').view(b, t, heads, hd).transpose(1, 2)

    q = split('q_proj') * hd ** -0.5
    scores = q @ split('k_proj').transpose(-1, -2)
    if allowed is not None:
        scores = scores.masked_fill(~allowed, -1e30)
    attended = torch.softmax(scores, dim=-1) @ split('v_proj')
    x = x + linear(attended.transpose(1, 2).reshape(b, t, d), P, f'{a}.out_proj')
    h = layer_norm(x, P, f'{prefix}.layer_norm2', eps)
    return x + linear(act(linear(h, P, f'{prefix}.mlp.fc1'), act_name), P, f'{prefix}.mlp.fc2')


def vision_pooled(P, pixels_nchw, v):
    """CLIPVisionTransformer's pooler_output: post_layernorm(last_hidden_state[:, 0])."""
    eps = v.get('layer_norm_eps', 1e-5)
    p = v['patch_size']
    patches = F.conv2d(pixels_nchw, P['vision_model.embeddings.patch_embedding.weight'], stride=p)
    patches = patches.flatten(2).transpose(1, 2)
    cls = P['vision_model.embeddings.class_embedding'].expand(pixels_nchw.shape[0], 1, -1)
    x = torch.cat([cls, patches], dim=1) + P['vision_model.embeddings.position_embedding.weight']
    x = layer_norm(x, P, 'vision_model.pre_layrnorm', eps)
    for i in range(v['num_hidden_layers']):
        x = encoder_layer(x, P, f'vision_model.encoder.layers.{i}', v['num_attention_heads'],
                          v.get('hidden_act', 'quick_gelu'), eps)
    return layer_norm(x[:, 0], P, 'vision_model.post_layernorm', eps)


def text_pooled(P, ids, mask, t):
    """CLIPTextTransformer's pooler_output, eos pooling as transformers does it."""
    eps = t.get('layer_norm_eps', 1e-5)
    b, n = ids.shape
    x = P['text_model.embeddings.token_embedding.weight'][ids]
    x = x + P['text_model.embeddings.position_embedding.weight'][:n]
    allowed = torch.tril(torch.ones(n, n, dtype=torch.bool))[None, None].expand(b, 1, n, n)
    if mask is not None:
        allowed = allowed & mask.bool()[:, None, None, :]
    for i in range(t['num_hidden_layers']):
        x = encoder_layer(x, P, f'text_model.encoder.layers.{i}', t['num_attention_heads'],
                          t.get('hidden_act', 'quick_gelu'), eps, allowed)
    x = layer_norm(x, P, 'text_model.final_layer_norm', eps)
    eos = t.get('eos_token_id', 49407)
    if eos == 2:
        at = ids.to(torch.int).argmax(dim=-1)
    else:
        at = (ids == eos).int().argmax(dim=-1)
    return x[torch.arange(b), at], at


def normalize(x):
    return x / x.norm(p=2, dim=-1, keepdim=True)


# ---------------------------------------------------------------- fixtures

def build(name, config, vision, text, seed, n_images, ids=None, mask=None, logit_scale=None):
    gen = torch.Generator().manual_seed(seed)
    params, buffers = vision_params(gen, vision)
    proj = config.get('projection_dim', 512)
    if config['architectures'][0] != 'CLIPVisionModel':
        params['visual_projection.weight'] = rand(gen, [proj, vision['hidden_size']], 1.0 / math.sqrt(vision['hidden_size']))
    if text is not None:
        tp, tb = text_params(gen, text)
        params.update(tp)
        buffers.update(tb)
        params['text_projection.weight'] = rand(gen, [proj, text['hidden_size']], 1.0 / math.sqrt(text['hidden_size']))
        params['logit_scale'] = torch.tensor(logit_scale, dtype=torch.float32)

    P = {k: v.double() for k, v in params.items()}
    side, c = vision['image_size'], vision.get('num_channels', 3)
    pixels_nhwc = rand(gen, [n_images, side, side, c], 1.0)
    feats = vision_pooled(P, pixels_nhwc.double().permute(0, 3, 1, 2), vision)
    expected = {'pixel_values_nhwc': pixels_nhwc, 'image_features': feats.float()}
    if 'visual_projection.weight' in P:
        img = F.linear(feats, P['visual_projection.weight'])
        expected['image_embeds'] = img.float()
    if text is not None:
        tfeat, at = text_pooled(P, ids, mask, text)
        txt = F.linear(tfeat, P['text_projection.weight'])
        logits = P['logit_scale'].exp() * normalize(img) @ normalize(txt).t()
        expected.update({
            'input_ids': ids.to(torch.int32),
            'pool_positions': at.to(torch.int32),
            'text_features': tfeat.float(),
            'text_embeds': txt.float(),
            'logits_per_image': logits.float(),
        })
        if mask is not None:
            expected['attention_mask'] = mask.to(torch.int32)

    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        f.write(pretty_json(config))
    write_safetensors(os.path.join(folder, 'model.safetensors'), {**params, **buffers})
    write_safetensors(os.path.join(folder, 'expected.safetensors'), expected)
    print(name, {k: list(v.shape) for k, v in expected.items()})


def main():
    # 1. openai-style CLIPModel: quick_gelu (vision by default: hidden_act and layer_norm_eps
    #    omitted), legacy eos_token_id 2 → pooled at the argmax of the ids.
    vision_a = {'hidden_size': 32, 'intermediate_size': 64, 'num_hidden_layers': 2,
                'num_attention_heads': 4, 'image_size': 32, 'patch_size': 8}
    text_a = {'hidden_size': 24, 'intermediate_size': 48, 'num_hidden_layers': 2,
              'num_attention_heads': 4, 'vocab_size': 64, 'max_position_embeddings': 16,
              'hidden_act': 'quick_gelu', 'layer_norm_eps': 1e-5,
              'bos_token_id': 0, 'eos_token_id': 2, 'pad_token_id': 1}
    config_a = {'architectures': ['CLIPModel'], 'model_type': 'clip', 'projection_dim': 16,
                'logit_scale_init_value': 2.6592, 'initializer_factor': 1.0,
                'text_config': text_a, 'vision_config': vision_a, 'torch_dtype': 'float32'}
    # Rows end in the largest id (63, "end of text") padded with more 63s, as openai's tokenizer
    # pads; argmax takes the first. Row 2 has no 63: its argmax is elsewhere.
    ids_a = torch.tensor([
        [62, 5, 9, 33, 63, 63, 63, 63, 63, 63],
        [62, 40, 63, 63, 63, 63, 63, 63, 63, 63],
        [62, 7, 7, 8, 12, 50, 4, 11, 3, 61],
    ])
    build('clip-quickgelu-legacy-eos', config_a, vision_a, text_a, seed=1, n_images=3,
          ids=ids_a, logit_scale=2.6592)

    # 2. CLIPModel with gelu (exact) vision, gelu_pytorch_tanh text and a real eos id (40): pooled
    #    at the first 40, not at the argmax (larger ids follow it); a padding attention mask.
    vision_b = {'hidden_size': 24, 'intermediate_size': 40, 'num_hidden_layers': 2,
                'num_attention_heads': 3, 'image_size': 24, 'patch_size': 6, 'num_channels': 3,
                'hidden_act': 'gelu', 'layer_norm_eps': 1e-5}
    text_b = {'hidden_size': 16, 'intermediate_size': 32, 'num_hidden_layers': 3,
              'num_attention_heads': 2, 'vocab_size': 50, 'max_position_embeddings': 12,
              'hidden_act': 'gelu_pytorch_tanh', 'layer_norm_eps': 1e-5,
              'bos_token_id': 41, 'eos_token_id': 40, 'pad_token_id': 1}
    config_b = {'architectures': ['CLIPModel'], 'model_type': 'clip', 'projection_dim': 12,
                'logit_scale_init_value': 2.6592, 'text_config': text_b,
                'vision_config': vision_b}
    ids_b = torch.tensor([
        [41, 5, 9, 33, 40, 45, 49, 1],
        [41, 12, 1, 20, 13, 40, 1, 1],
        [41, 40, 1, 1, 1, 1, 1, 1],
        [41, 30, 31, 32, 33, 34, 35, 40],
    ])
    mask_b = torch.tensor([
        [1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 0, 1, 1, 1, 0, 0],
        [1, 1, 0, 0, 0, 0, 0, 0],
        [1, 0, 1, 1, 0, 1, 1, 1],
    ])
    build('clip-gelu-eos-mask', config_b, vision_b, text_b, seed=2, n_images=2, ids=ids_b,
          mask=mask_b, logit_scale=3.1)

    # 3. CLIPVisionModelWithProjection (model_type clip_vision_model): gelu, eps 1e-6.
    vision_c = {'architectures': ['CLIPVisionModelWithProjection'],
                'model_type': 'clip_vision_model', 'hidden_size': 32, 'intermediate_size': 48,
                'num_hidden_layers': 2, 'num_attention_heads': 2, 'image_size': 16,
                'patch_size': 4, 'num_channels': 3, 'hidden_act': 'gelu',
                'layer_norm_eps': 1e-6, 'projection_dim': 8}
    build('clip-vision-with-projection', vision_c, vision_c, None, seed=3, n_images=2)


if __name__ == '__main__':
    main()
