/**
 * 2-D products whose forward and backward run in plain layout on tfjs-wasm. There a matMul with
 * transposeA or transposeB is ≈ 6–8× slower than transposing an operand first and multiplying
 * plainly (Node, 544 × 64 rows against a 256 × 64 weight: x·Wᵀ 8.9 vs 1.1 ms, dyᵀ·x 8.6 vs
 * 1.4 ms), and tfjs's own gradient of a matMul uses both flags (da = dy·bᵀ, db = aᵀ·dy). The
 * transposes cost m·k or k·n against the product's m·k·n. Other backends take tfjs's matMul as
 * it is (on WebGPU the flags are free in the shader; a transpose would be one more dispatch).
 */
import * as tf from '@tensorflow/tfjs';

const plainProduct = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, [as, bs]: tf.Tensor2D[]) => [
      tf.matMul(dy, tf.transpose(bs!)),
      tf.matMul(tf.transpose(as!), dy),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** a [m, k] · b [k, n]. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return (tf.getBackend() === 'wasm' ? plainProduct(a, b) : tf.matMul(a, b)) as tf.Tensor2D;
}

/** a [m, k] · bᵀ for b [n, k] (PyTorch's Linear layout). */
export function matMulTransposed(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.getBackend() === 'wasm' ? matMul2d(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
}
