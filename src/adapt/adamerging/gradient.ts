/**
 * First-step gradient of the AdaMerging loss (the options' objective) with respect to λ at its initial value, on the
 * active backend and on a fixed seeded batch: what the backend-agreement tests compare.
 */
import * as tf from '@tensorflow/tfjs';
import type { LoadedZoo } from '../../zoo';
import { mergedEncoder } from './problem';
import { AdaMergingSession } from './session';
import type { AdaMergingOptions } from './types';

export interface GradientProbe {
  backend: string;
  /** Per-task losses (entropies, or the oracle's cross-entropies) on the first batch. */
  lossPerTask: number[];
  /** ∂loss/∂λ, row-major T × L. */
  gradient: number[];
  shape: [number, number];
}

export async function firstStepGradient(
  zoo: LoadedZoo,
  options: AdaMergingOptions,
): Promise<GradientProbe> {
  const session = new AdaMergingSession(zoo, options);
  try {
    if (session.fused) {
      const r = await session.fused.gradient(session.nextBatch());
      return {
        backend: tf.getBackend(),
        lossPerTask: Array.from(r.lossPerTask),
        gradient: Array.from(r.grad),
        shape: [session.lambda.shape[0], session.lambda.shape[1]],
      };
    }
    const { images, labels } = session.nextInputs();
    const { perTask, grad } = session.gradient(images, labels);
    const [losses, g] = await Promise.all([perTask.data(), grad.data()]);
    tf.dispose([images, perTask, grad]);
    labels?.dispose();
    return {
      backend: tf.getBackend(),
      lossPerTask: Array.from(losses),
      gradient: Array.from(g),
      shape: [session.lambda.shape[0], session.lambda.shape[1]],
    };
  } finally {
    session.dispose();
  }
}

/** The loss (sum of the per-task losses) at a given λ on the first seeded batch; no gradient. */
export async function lossAt(
  zoo: LoadedZoo,
  options: AdaMergingOptions,
  lambdas: number[][],
): Promise<number> {
  const session = new AdaMergingSession(zoo, options);
  try {
    session.lambda.assign(tf.tensor2d(lambdas));
    const { images, labels } = session.nextInputs();
    const total = tf.tidy(() =>
      tf.sum(
        session.lossPerTask(
          mergedEncoder(session.problem, session.lambda, session.options.clamp),
          images,
          labels,
        ),
      ),
    );
    const value = (await total.data())[0]!;
    tf.dispose([images, total]);
    labels?.dispose();
    return value;
  } finally {
    session.dispose();
  }
}
