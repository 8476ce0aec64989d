/**
 * θ₀ and the task vectors τ = θ − θ₀ as tfjs tensors, kept on the device between live updates
 * (keyed by the opened checkpoint objects, so a removed or re-loaded file is never confused
 * with the old one), and the linear merge θ₀ + Σ cₜ τₜ computed from them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../../io';
import { addScaledTaskVectors } from '../../models';
import type { LinearStep } from '../../merge';

/** θ₀ + Σ cₜ τₜ through the shared device formula (a copy of θ₀ when no term is left). */
function merged(theta0: tf.Tensor, terms: [number, tf.Tensor][]): tf.Tensor {
  if (terms.length === 0) return theta0.clone();
  return tf.tidy(() => {
    const coefficients = tf.tensor2d([terms.map(([c]) => c)]);
    const stack = tf.stack(terms.map(([, tau]) => tf.reshape(tau, [-1]))) as tf.Tensor2D;
    return addScaledTaskVectors(theta0, coefficients, stack);
  });
}

export class TaskVectorCache {
  private readonly bases = new Map<Checkpoint, Map<string, tf.Tensor>>();
  /** base → model → tensor name → τ. */
  private readonly vectors = new Map<Checkpoint, Map<Checkpoint, Map<string, tf.Tensor>>>();

  private async base(checkpoint: Checkpoint, name: string, shape: number[]): Promise<tf.Tensor> {
    let byName = this.bases.get(checkpoint);
    if (!byName) this.bases.set(checkpoint, (byName = new Map()));
    let t = byName.get(name);
    if (!t) byName.set(name, (t = tf.tensor(await checkpoint.readF32(name), shape, 'float32')));
    return t;
  }

  private async vector(
    base: Checkpoint,
    model: Checkpoint,
    name: string,
    shape: number[],
  ): Promise<tf.Tensor> {
    let byModel = this.vectors.get(base);
    if (!byModel) this.vectors.set(base, (byModel = new Map()));
    let byName = byModel.get(model);
    if (!byName) byModel.set(model, (byName = new Map()));
    let t = byName.get(name);
    if (!t) {
      const theta0 = await this.base(base, name, shape);
      const theta = tf.tensor(await model.readF32(name), shape, 'float32');
      t = tf.sub(theta, theta0);
      theta.dispose();
      byName.set(name, t);
    }
    return t;
  }

  /**
   * θ₀ + Σ cₜ τₜ for every step (new tensors the caller disposes). Zero coefficients cost
   * nothing; only the first call per checkpoint reads and uploads its tensors.
   */
  async merge(
    steps: LinearStep[],
    checkpoints: Map<string, Checkpoint>,
    signal?: AbortSignal,
  ): Promise<Map<string, tf.Tensor>> {
    const out = new Map<string, tf.Tensor>();
    try {
      for (const step of steps) {
        signal?.throwIfAborted();
        const base = checkpoints.get(step.base)!;
        const terms: [number, tf.Tensor][] = [];
        for (const [m, key] of step.models.entries()) {
          const c = step.coefficients[m] ?? 0;
          if (c !== 0)
            terms.push([c, await this.vector(base, checkpoints.get(key)!, step.name, step.shape)]);
        }
        const theta0 = await this.base(base, step.name, step.shape);
        out.set(step.name, merged(theta0, terms));
      }
    } catch (error) {
      for (const t of out.values()) t.dispose();
      throw error;
    }
    return out;
  }

  /** Frees everything held for checkpoints that are no longer open. */
  prune(isOpen: (checkpoint: Checkpoint) => boolean): void {
    for (const [base, byModel] of this.vectors) {
      for (const [model, byName] of byModel) {
        if (isOpen(base) && isOpen(model)) continue;
        for (const t of byName.values()) t.dispose();
        byModel.delete(model);
      }
      if (byModel.size === 0) this.vectors.delete(base);
    }
    for (const [base, byName] of this.bases) {
      if (isOpen(base)) continue;
      for (const t of byName.values()) t.dispose();
      this.bases.delete(base);
    }
  }
}
