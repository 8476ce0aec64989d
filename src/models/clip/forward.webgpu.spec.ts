/**
 * The CLIP forward on tfjs's WebGPU backend (Node, Dawn; shared/BROWSER.md): the same fixtures
 * as forward.spec.ts, so every op used exists there, stays within the compatibility adapter's
 * limits and gives the reference's numbers; also a gradient through merged weights.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireNodeGpu } from '../../gpu/testing/node-test-gpu';
import { initTf } from '../../tf';
import { parseClipConfig } from './config';
import { clipLogits } from './logits';
import { clipTextEmbeds } from './text';
import { clipImageEmbeds, clipImageFeatures } from './vision';
import {
  FIXTURE_NAMES,
  fixtureParams,
  loadFixture,
  maxRelativeError,
  readI32,
} from '../testing/clip-fixtures';

// GPU reductions and erf/tanh differ from the CPU's in the last bits.
const TOL = 1e-4;

beforeAll(async () => {
  const gpu = await requireNodeGpu();
  expect(await initTf('webgpu', { gpu })).toBe('webgpu');
});

async function run(name: (typeof FIXTURE_NAMES)[number]) {
  const f = await loadFixture(name);
  const cfg = parseClipConfig(f.configJson, `${name}/config.json`);
  const params = await fixtureParams(f.model);
  const e = f.expected;
  const shape = e.tensors.get('pixel_values_nhwc')?.shape as [number, number, number, number];
  const pixels = tf.tensor4d(await e.readF32('pixel_values_nhwc'), shape);
  return { f, cfg, params, e, pixels };
}

describe.each(FIXTURE_NAMES)('CLIP forward on WebGPU: %s', (name) => {
  it('matches the reference', async () => {
    const { cfg, params, e, pixels } = await run(name);
    const feats = clipImageFeatures(params, pixels, cfg);
    const img = clipImageEmbeds(params, pixels, cfg);
    expect(maxRelativeError(await feats.data(), await e.readF32('image_features'))).toBeLessThan(
      TOL,
    );
    expect(maxRelativeError(await img.data(), await e.readF32('image_embeds'))).toBeLessThan(TOL);
    if (cfg.text) {
      const [batch = 0, seqLen = 0] = e.tensors.get('input_ids')?.shape ?? [];
      const ids = await readI32(e, 'input_ids');
      const mask = e.tensors.has('attention_mask') ? await readI32(e, 'attention_mask') : undefined;
      const txt = clipTextEmbeds(params, ids, batch, seqLen, cfg, mask);
      const logits = clipLogits(img, txt, params.get('logit_scale') as tf.Tensor);
      expect(maxRelativeError(await txt.data(), await e.readF32('text_embeds'))).toBeLessThan(TOL);
      const expected = await e.readF32('logits_per_image');
      expect(maxRelativeError(await logits.data(), expected, 1e-3)).toBeLessThan(TOL);
      tf.dispose([txt, logits]);
    }
    tf.dispose([feats, img, pixels, ...params.values()]);
  });
});

describe('CLIP gradient on WebGPU', () => {
  it('differentiates the embeds w.r.t. a merge coefficient as the CPU does', async () => {
    const f = await loadFixture('clip-gelu-eos-mask');
    const cfg = parseClipConfig(f.configJson, 'config.json');
    const e = f.expected;
    const names = [
      'vision_model.embeddings.patch_embedding.weight',
      'vision_model.encoder.layers.0.self_attn.q_proj.weight',
      'vision_model.encoder.layers.1.mlp.fc1.weight',
    ];
    const pixelShape = e.tensors.get('pixel_values_nhwc')?.shape as [
      number,
      number,
      number,
      number,
    ];
    const pixelData = await e.readF32('pixel_values_nhwc');
    // Σ probe·embeds of θ₀ + λ·τ over three tensors, as AdaMerging builds merged weights; every
    // tensor is made on the backend that runs the gradient.
    const gradient = async (): Promise<number> => {
      const params = await fixtureParams(f.model);
      const pixels = tf.tensor4d(pixelData, pixelShape);
      const taus = names.map((n, i) =>
        tf.randomNormal(params.get(n)?.shape ?? [], 0, 0.05, 'float32', i + 1),
      );
      const probe = tf.randomNormal([2, cfg.projectionDim], 0, 1, 'float32', 9);
      const loss = (lambda: tf.Tensor): tf.Scalar => {
        const merged = new Map(params);
        names.forEach((n, i) =>
          merged.set(n, tf.add(params.get(n) as tf.Tensor, tf.mul(taus[i] as tf.Tensor, lambda))),
        );
        return tf.sum(tf.mul(clipImageEmbeds(merged, pixels, cfg), probe)) as tf.Scalar;
      };
      const g = tf.grad(loss)(tf.scalar(0.5));
      const value = (await g.data())[0] ?? NaN;
      tf.dispose([g, pixels, probe, ...taus, ...params.values()]);
      return value;
    };
    const onGpu = await gradient();
    await initTf('cpu');
    const onCpu = await gradient();
    expect(Math.abs(onCpu)).toBeGreaterThan(1e-2);
    expect(Math.abs(onGpu - onCpu)).toBeLessThan(1e-3 * Math.abs(onCpu));
  });
});
