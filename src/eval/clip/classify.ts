/**
 * CLIP zero-shot logits on images: exp(logit_scale) · normalize(visual_projection(pooled)) · Wᵀ,
 * with W a task's zero-shot head (rows unit length). Differentiable in the vision parameters, so
 * AdaMerging's entropy objective goes through the same function as evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import { clipImageEmbeds, type ClipConfig } from '../../models';

export type TensorParams = Map<string, tf.Tensor>;

/** normalize(image embeds) [N, proj]; `params` holds vision_model.* and visual_projection. */
export function unitImageEmbeds(
  params: TensorParams,
  pixels: tf.Tensor4D,
  config: ClipConfig,
): tf.Tensor2D {
  return tf.tidy(() => {
    const e = clipImageEmbeds(params, pixels, config);
    // + ε² inside the root: a zero embedding (untrained weights) gives zeros, not NaN.
    return tf.mul(e, tf.rsqrt(tf.add(tf.sum(tf.square(e), 1, true), 1e-12))) as tf.Tensor2D;
  });
}

/** [N, classes] logits of `head` ([classes, proj], unit rows) on unit image embeddings. */
export function zeroShotLogits(
  unitEmbeds: tf.Tensor2D,
  head: tf.Tensor2D,
  logitScale: number,
): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.matMul(unitEmbeds, head, false, true), Math.exp(logitScale)));
}
