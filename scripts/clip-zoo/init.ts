/**
 * A fresh CLIPModel's parameters, initialised as transformers' CLIPPreTrainedModel._init_weights
 * does (factor 1): embeddings N(0, 0.02), the class embedding N(0, D^-½), attention and MLP
 * projections scaled by depth, projections N(0, D^-½), layer norms (1, 0), biases 0, logit
 * scale 2.6592 (= log 1/0.07). Deterministic from the seed.
 */
import { Rng } from '../../src/data/prng';
import { clipTensorShapes, type ClipConfig } from '../../src/models/clip';
import type { NamedArray } from '../../src/models/tensors';

function stdOf(name: string, cfg: ClipConfig): number | 'one' | 'zero' {
  const text = name.startsWith('text_model.');
  const hidden = text ? cfg.text!.hiddenSize : cfg.vision.hiddenSize;
  const layers = text ? cfg.text!.numLayers : cfg.vision.numLayers;
  const depth = hidden ** -0.5 * (2 * layers) ** -0.5;
  if (/norm\d?\.weight$|layrnorm\.weight$|layernorm\.weight$/.test(name)) return 'one';
  if (name.endsWith('.bias')) return 'zero';
  if (name.endsWith('class_embedding')) return hidden ** -0.5;
  if (name.includes('embedding')) return 0.02;
  if (/(q|k|v)_proj\.weight$/.test(name)) return depth;
  if (name.endsWith('out_proj.weight')) return hidden ** -0.5;
  if (name.endsWith('fc1.weight')) return (2 * hidden) ** -0.5;
  if (name.endsWith('fc2.weight')) return depth;
  if (name === 'text_projection.weight') return cfg.text!.hiddenSize ** -0.5;
  if (name === 'visual_projection.weight') return cfg.vision.hiddenSize ** -0.5;
  throw new Error(`no initialisation rule for CLIP parameter "${name}"`);
}

export function initClipParams(cfg: ClipConfig, seed: number): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, shape] of clipTensorShapes(cfg)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name === 'logit_scale') {
      data[0] = cfg.logitScaleInit;
    } else {
      const std = stdOf(name, cfg);
      const rng = new Rng(seed, `init:${name}`);
      if (std === 'one') data.fill(1);
      else if (std !== 'zero') for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
    }
    out.set(name, { shape, data });
  }
  return out;
}
