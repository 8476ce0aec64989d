/**
 * Parity of the tfjs CLIP forward with scripts/reference/clip_reference.py (an independent
 * float64 torch implementation of transformers' CLIP) on tiny random checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClipConfig, type ClipConfig } from './config';
import { clipLogits } from './logits';
import { clipTextEmbeds, clipTextFeatures, clipTextPoolPositions } from './text';
import { clipImageEmbeds, clipImageFeatures } from './vision';
import {
  FIXTURE_NAMES,
  fixtureParams,
  loadFixture,
  maxRelativeError,
  readI32,
  type ClipFixture,
} from '../testing/clip-fixtures';

const TOL = 1e-4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Loaded {
  fixture: ClipFixture;
  cfg: ClipConfig;
  params: Map<string, tf.Tensor>;
}

const loaded = new Map<string, Loaded>();

async function load(name: (typeof FIXTURE_NAMES)[number]): Promise<Loaded> {
  let l = loaded.get(name);
  if (!l) {
    const fixture = await loadFixture(name);
    const cfg = parseClipConfig(fixture.configJson, `${name}/config.json`);
    l = { fixture, cfg, params: await fixtureParams(fixture.model) };
    loaded.set(name, l);
  }
  return l;
}

afterAll(() => {
  for (const l of loaded.values()) for (const t of l.params.values()) t.dispose();
});

async function expected(l: Loaded, name: string): Promise<Float32Array> {
  return l.fixture.expected.readF32(name);
}

async function pixels(l: Loaded): Promise<tf.Tensor4D> {
  const info = l.fixture.expected.tensors.get('pixel_values_nhwc');
  const shape = info?.shape as [number, number, number, number];
  return tf.tensor4d(await expected(l, 'pixel_values_nhwc'), shape);
}

async function textInput(l: Loaded) {
  const e = l.fixture.expected;
  const [batch = 0, seqLen = 0] = e.tensors.get('input_ids')?.shape ?? [];
  const ids = await readI32(e, 'input_ids');
  const mask = e.tensors.has('attention_mask') ? await readI32(e, 'attention_mask') : undefined;
  return { ids, batch, seqLen, mask };
}

async function errorOf(t: tf.Tensor, l: Loaded, name: string, floor = 1): Promise<number> {
  const actual = await t.data();
  t.dispose();
  return maxRelativeError(actual, await expected(l, name), floor);
}

describe.each(FIXTURE_NAMES)('CLIP forward parity: %s', (name) => {
  it('pooled image features and image embeds', async () => {
    const l = await load(name);
    const px = await pixels(l);
    expect(await errorOf(clipImageFeatures(l.params, px, l.cfg), l, 'image_features')).toBeLessThan(
      TOL,
    );
    expect(await errorOf(clipImageEmbeds(l.params, px, l.cfg), l, 'image_embeds')).toBeLessThan(
      TOL,
    );
    px.dispose();
  });
});

describe.each(['clip-quickgelu-legacy-eos', 'clip-gelu-eos-mask'] as const)(
  'CLIP text and logits parity: %s',
  (name) => {
    it('pools where transformers pools', async () => {
      const l = await load(name);
      const { ids, batch, seqLen } = await textInput(l);
      const positions = clipTextPoolPositions(ids, batch, seqLen, l.cfg.text?.eosTokenId ?? -1);
      expect([...positions]).toEqual([...(await readI32(l.fixture.expected, 'pool_positions'))]);
    });

    it('text features, text embeds and logits', async () => {
      const l = await load(name);
      const { ids, batch, seqLen, mask } = await textInput(l);
      const feats = clipTextFeatures(l.params, ids, batch, seqLen, l.cfg, mask);
      expect(await errorOf(feats, l, 'text_features')).toBeLessThan(TOL);
      const txt = clipTextEmbeds(l.params, ids, batch, seqLen, l.cfg, mask);
      const px = await pixels(l);
      const img = clipImageEmbeds(l.params, px, l.cfg);
      const scale = l.params.get('logit_scale');
      if (!scale) throw new Error('fixture has no logit_scale');
      const logits = clipLogits(img, txt, scale);
      const fromNumber = clipLogits(img, txt, (await scale.data())[0] ?? 0);
      // Logits: relative per element (the floor 1e-3 only guards exact zeros).
      expect(await errorOf(logits, l, 'logits_per_image', 1e-3)).toBeLessThan(TOL);
      expect(await errorOf(fromNumber, l, 'logits_per_image', 1e-3)).toBeLessThan(TOL);
      expect(await errorOf(txt, l, 'text_embeds')).toBeLessThan(TOL);
      [px, img].forEach((t) => t.dispose());
    });
  },
);

describe('CLIP forward inside tf.grad', () => {
  it('gives the finite-difference derivative of the logits w.r.t. a merge coefficient', async () => {
    const l = await load('clip-quickgelu-legacy-eos');
    const { ids, batch, seqLen } = await textInput(l);
    const px = await pixels(l);
    const txt = clipTextEmbeds(l.params, ids, batch, seqLen, l.cfg);
    const name = 'vision_model.encoder.layers.1.mlp.fc1.weight';
    const base = l.params.get(name) as tf.Tensor;
    const tau = tf.randomNormal(base.shape, 0, 0.05, 'float32', 7);
    // θ(λ) = θ₀ + λ·τ for one tensor, as AdaMerging builds it.
    const loss = (lambda: tf.Tensor): tf.Scalar => {
      const merged = new Map(l.params);
      merged.set(name, tf.add(base, tf.mul(tau, lambda)));
      const logits = clipLogits(clipImageEmbeds(merged, px, l.cfg), txt, 2.6592);
      return tf.sum(tf.mul(logits, tf.range(0, logits.size).reshape(logits.shape))) as tf.Scalar;
    };
    const grad = tf.grad(loss)(tf.scalar(0.3));
    const h = 1e-2;
    const up = loss(tf.scalar(0.3 + h));
    const down = loss(tf.scalar(0.3 - h));
    const numeric = ((await up.data())[0]! - (await down.data())[0]!) / (2 * h);
    const analytic = (await grad.data())[0]!;
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
    expect(Math.abs(analytic - numeric)).toBeLessThan(2e-2 * Math.abs(numeric) + 1e-3);
    [px, txt, tau, grad, up, down].forEach((t) => t.dispose());
  });
});

describe('CLIP forward input checks', () => {
  it('names the expected pixel shape', async () => {
    const l = await load('clip-vision-with-projection');
    const px = tf.zeros([1, 16, 16, 1]) as tf.Tensor4D;
    expect(() => clipImageFeatures(l.params, px, l.cfg)).toThrow(
      'CLIP pixels must be [N, 16, 16, 3] (NHWC, normalised), got [1, 16, 16, 1]',
    );
    px.dispose();
  });

  it('refuses ids outside the vocabulary, too long rows and a vision-only config', async () => {
    const l = await load('clip-gelu-eos-mask');
    const cfg = l.cfg;
    expect(() => clipTextEmbeds(l.params, Int32Array.from([41, 50]), 1, 2, cfg)).toThrow(
      'CLIP token id 50 (row 0) is outside the vocabulary of 50',
    );
    expect(() => clipTextEmbeds(l.params, new Int32Array(13), 1, 13, cfg)).toThrow(
      'longer than max_position_embeddings 12',
    );
    const vision = await load('clip-vision-with-projection');
    expect(() => clipTextEmbeds(l.params, new Int32Array(2), 1, 2, vision.cfg)).toThrow(
      'a CLIPVisionModelWithProjection has no text tower',
    );
  });

  it('names a missing parameter', async () => {
    const l = await load('clip-vision-with-projection');
    const params = new Map(l.params);
    params.delete('vision_model.encoder.layers.1.mlp.fc2.bias');
    const px = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    expect(() => clipImageFeatures(params, px, l.cfg)).toThrow(
      'CLIP parameter "vision_model.encoder.layers.1.mlp.fc2.bias" is missing',
    );
    px.dispose();
  });
});
