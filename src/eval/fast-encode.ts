/**
 * The zoo ViT's encoder for inference, computed without transposes: the same function as
 * `vitEncode` (src/models/vit.ts; the spec checks they agree), rearranged for tfjs-wasm, where
 * its rank-4/5 transposes and unstack took ~70% of a forward pass (tf.profile, 512 images:
 * Transpose 527 ms of ~800). Here
 * - images are split into patches once, by the caller (`toPatches`), not on every call;
 * - q, k, v of each head come from that head's columns of the qkv weight ([dim, 3·dim], columns
 *   ordered (q|k|v, head, channel)), are attended per head as batched [N, T, d] matrices, and
 *   the heads' outputs are concatenated on the last axis: the layout the projection expects.
 */
import * as tf from '@tensorflow/tfjs';
import {
  clsFeature,
  embedTokens,
  getter,
  layerNorm,
  linear,
  mlpSubBlock,
  patchify,
  type VitParams,
  numPatches,
  type VitConfig,
} from '../models';

/** Images [N, H, W, 1] (or [N, H·W]) → patches [N·P, patch²], row-major patch order. */
export function toPatches(images: tf.Tensor, config: VitConfig): tf.Tensor2D {
  return tf.tidy(() => patchify(images, config));
}

/** The CLS feature after the final LayerNorm, [N, dim], from patches [N·P, patch²]. */
export function encodePatches(
  params: VitParams,
  patches: tf.Tensor2D,
  config: VitConfig,
): tf.Tensor2D {
  const get = getter(params);
  return tf.tidy(() => {
    const { dim, heads, eps } = config;
    const tokens = numPatches(config) + 1;
    const n = (patches.shape[0] ?? 0) / (tokens - 1);
    const d = dim / heads;
    const rows = n * tokens;

    let x = embedTokens(patches, get, n, dim);

    for (let i = 0; i < config.depth; i++) {
      const b = `encoder.blocks.${i}`;
      const h = layerNorm(x, get(`${b}.norm1.weight`), get(`${b}.norm1.bias`), eps);
      const rowsIn = tf.reshape(h, [rows, dim]) as tf.Tensor2D;
      const wQkv = get(`${b}.attn.qkv.weight`);
      const bQkv = get(`${b}.attn.qkv.bias`);
      // One head's q, k or v straight from its columns of the weight: slicing the small weight
      // is far cheaper than slicing the [N·T, 3·dim] product.
      const part = (which: number, head: number) => {
        const col = which * dim + head * d;
        const w = tf.slice(wQkv, [0, col], [dim, d]);
        const bias = tf.slice(bQkv, [col], [d]);
        return tf.reshape(linear(rowsIn, w, bias), [n, tokens, d]);
      };
      const perHead: tf.Tensor[] = [];
      for (let head = 0; head < heads; head++) {
        const scores = tf.mul(
          tf.matMul(part(0, head) as tf.Tensor3D, part(1, head) as tf.Tensor3D, false, true),
          1 / Math.sqrt(d),
        );
        perHead.push(tf.matMul(tf.softmax(scores) as tf.Tensor3D, part(2, head) as tf.Tensor3D));
      }
      const attended = tf.reshape(tf.concat(perHead, 2), [rows, dim]) as tf.Tensor2D;
      const projected = linear(attended, get(`${b}.attn.proj.weight`), get(`${b}.attn.proj.bias`));
      x = tf.add(x, tf.reshape(projected, [n, tokens, dim]));

      x = mlpSubBlock(x, get, b, eps);
    }

    return clsFeature(x, get, eps);
  });
}
