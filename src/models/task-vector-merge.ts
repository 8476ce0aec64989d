/**
 * θ₀ + Σₜ cₜ·τₜ for one tensor on the tfjs device — the one device-side form of the merge
 * formula, shared by live exploration (coefficients from the merge engine's plan) and
 * AdaMerging's tfjs step (learned λ, differentiable). The τₜ are stacked [T, n] so the sum is
 * one matMul [1, T] × [T, n]: every op has ≤ 2 inputs (WebGPU's storage-buffer limit).
 * The CPU engine (src/merge) and the fused WGSL step compute the same formula.
 */
import * as tf from '@tensorflow/tfjs';

/** `coefficients` [1, T], `stack` [T, numel of base]; a new tensor shaped like `base`. */
export function addScaledTaskVectors(
  base: tf.Tensor,
  coefficients: tf.Tensor2D,
  stack: tf.Tensor2D,
): tf.Tensor {
  return tf.tidy(() => tf.add(base, tf.reshape(tf.matMul(coefficients, stack), base.shape)));
}
