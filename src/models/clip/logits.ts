/** CLIP's contrastive head: scaled cosine similarities of image and text embeddings. */
import * as tf from '@tensorflow/tfjs';

/**
 * Rows scaled to unit L2 norm (transformers divides by the norm; the 1e-24 under the root only
 * keeps the gradient finite at a zero row).
 */
export function clipNormalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-24))));
}

/**
 * logits_per_image [N_img, N_txt] = exp(logit_scale) · normalize(img) · normalize(txt)ᵀ.
 * `logitScale` is the checkpoint's `logit_scale` (a log; a scalar tensor or a number).
 * logits_per_text is its transpose.
 */
export function clipLogits(
  imageEmbeds: tf.Tensor2D,
  textEmbeds: tf.Tensor2D,
  logitScale: tf.Tensor | number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const scale = typeof logitScale === 'number' ? Math.exp(logitScale) : tf.exp(logitScale);
    const cos = tf.matMul(clipNormalize(imageEmbeds), clipNormalize(textEmbeds), false, true);
    return tf.mul(cos, scale) as tf.Tensor2D;
  });
}
