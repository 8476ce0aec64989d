/**
 * The vision tower (transformers' CLIPVisionTransformer) and visual_projection, as a function of
 * named parameters, so AdaMerging can pass merged weights built inside `tf.grad`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipConfig } from './config';
import { ClipInputError } from './errors';
import { clipGetter, encoder, layerNorm, linear, type ClipParams, type ParamGetter } from './ops';

function checkPixels(pixels: tf.Tensor, cfg: ClipConfig): void {
  const { imageSize: s, numChannels: c } = cfg.vision;
  const [, h, w, ch] = pixels.shape;
  if (pixels.rank !== 4 || h !== s || w !== s || ch !== c) {
    throw new ClipInputError(
      `CLIP pixels must be [N, ${s}, ${s}, ${c}] (NHWC, normalised), got [${pixels.shape.join(', ')}]`,
    );
  }
}

/**
 * Pixels [N, S, S, C] → patch tokens [N, P, D]: the stride-p convolution without bias as one
 * matMul. Each patch is flattened as (channel, row, column), the order of PyTorch's conv weight
 * [D, C, p, p], so the weight is only reshaped; patches run row-major over the grid like the
 * conv output's flatten(2).
 */
function patchEmbed(pixels: tf.Tensor4D, get: ParamGetter, cfg: ClipConfig): tf.Tensor {
  const { imageSize, patchSize: p, numChannels: c, hiddenSize } = cfg.vision;
  const n = pixels.shape[0];
  const g = imageSize / p;
  // [N, g·p, g·p, C] → [N·g, p(row), g, p(col), C] → [N·g, g, C, p(row), p(col)]; rank ≤ 5.
  const grid = tf.reshape(pixels, [n * g, p, g, p, c]);
  const patches = tf.reshape(tf.transpose(grid, [0, 2, 4, 1, 3]), [n * g * g, c * p * p]);
  const weight = tf.reshape(get('vision_model.embeddings.patch_embedding.weight'), [
    hiddenSize,
    c * p * p,
  ]);
  return tf.reshape(linear(patches as tf.Tensor2D, weight), [n, g * g, hiddenSize]);
}

/** CLIPVisionEmbeddings: [CLS; patches] + position embedding → [N, 1 + P, D]. */
function embed(pixels: tf.Tensor4D, get: ParamGetter, cfg: ClipConfig): tf.Tensor {
  const n = pixels.shape[0];
  const d = cfg.vision.hiddenSize;
  const cls = tf.tile(tf.reshape(get('vision_model.embeddings.class_embedding'), [1, 1, d]), [
    n,
    1,
    1,
  ]);
  const tokens = tf.concat([cls, patchEmbed(pixels, get, cfg)], 1);
  return tf.add(tokens, get('vision_model.embeddings.position_embedding.weight'));
}

/**
 * The pooled output of CLIPVisionModel: post_layernorm of the CLS token, [N, hidden]. `pixels`
 * is NHWC [N, image, image, channels], already normalised as CLIPImageProcessor does. Extra
 * parameters (text tower, projections) are ignored.
 */
export function clipImageFeatures(
  params: ClipParams,
  pixels: tf.Tensor4D,
  cfg: ClipConfig,
): tf.Tensor2D {
  checkPixels(pixels, cfg);
  const get = clipGetter(params);
  return tf.tidy(() => {
    const v = cfg.vision;
    const n = pixels.shape[0];
    const eps = v.layerNormEps;
    const norm = (x: tf.Tensor, name: string): tf.Tensor =>
      layerNorm(x, get(`${name}.weight`), get(`${name}.bias`), eps);
    const x = norm(embed(pixels, get, cfg), 'vision_model.pre_layrnorm');
    const last = encoder(x, get, 'vision_model', v.numLayers, v);
    const cls = tf.reshape(tf.slice(last, [0, 0, 0], [n, 1, v.hiddenSize]), [n, v.hiddenSize]);
    return norm(cls, 'vision_model.post_layernorm') as tf.Tensor2D;
  });
}

/**
 * visual_projection of pooled features [N, hidden] → image embeds [N, proj], not normalised.
 * `params` must hold `visual_projection.weight` whatever the variant: a CLIPVisionModel
 * fine-tune borrows its base CLIPModel's projection (FusionBench's setting).
 */
export function clipProjectImage(params: ClipParams, features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => linear(features, clipGetter(params)('visual_projection.weight')));
}

/** CLIPModel.get_image_features: visual_projection(pooled) [N, proj], not normalised. */
export function clipImageEmbeds(
  params: ClipParams,
  pixels: tf.Tensor4D,
  cfg: ClipConfig,
): tf.Tensor2D {
  return tf.tidy(() => clipProjectImage(params, clipImageFeatures(params, pixels, cfg)));
}
