/**
 * Timing of AdaMerging steps on the active backend, for the benchmark: plain steps (what a run
 * costs) and a profiled breakdown where each phase is forced to finish on the device before the
 * next starts (merge of weights, forward, backward, Adam update, readback).
 */
import * as tf from '@tensorflow/tfjs';
import type { LoadedZoo } from '../../zoo';
import { entropyPerTask, mergedEncoder } from './problem';
import { AdaMergingSession } from './session';
import type { AdaMergingOptions, StepEvent } from './types';

export interface StepMeasurement {
  backend: string;
  /**
   * Median ms per step over the timed steps (the first two — shader/pipeline warm-up — are left
   * out), stepping as a run does: with the fused engine the next step is queued before the
   * previous one's numbers are read.
   */
  msPerStep: number;
  /** ms from creating the session (uploads, shader compilation) to the first step's numbers. */
  coldMs: number;
  steps: number;
  /** Median ms per phase of profiled steps (each phase synchronised). */
  phases: { merge: number; forward: number; backward: number; update: number; readback: number };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** Waits for the device: reading one element forces every queued kernel to finish. */
async function sync(t: tf.Tensor): Promise<void> {
  await tf.slice(t.reshape([-1]), [0], [1]).data();
}

export async function measureSteps(
  zoo: LoadedZoo,
  options: AdaMergingOptions,
  steps: number,
): Promise<StepMeasurement> {
  const created = performance.now();
  const session = new AdaMergingSession(zoo, options);
  try {
    const times: number[] = [];
    let queued: Promise<StepEvent> | null = null;
    let coldMs = NaN;
    for (let i = 0; i < steps + 2; i++) {
      const current = queued ?? session.startStep();
      queued = session.pipelined && i + 1 < steps + 2 ? session.startStep() : null;
      times.push((await current).ms);
      if (i === 0) coldMs = performance.now() - created;
    }
    if (session.fused) {
      const profiled: Awaited<ReturnType<typeof session.fused.profiledStep>>[] = [];
      for (let i = 0; i < Math.max(3, Math.ceil(steps / 2)); i++)
        profiled.push(await session.fused.profiledStep(session.nextBatch()));
      const of = (k: keyof (typeof profiled)[number]): number => median(profiled.map((p) => p[k]));
      return {
        backend: `${tf.getBackend()} (fused kernels)`,
        msPerStep: median(times.slice(2)),
        coldMs,
        steps,
        phases: {
          merge: of('merge'),
          forward: of('forward'),
          backward: of('backward'),
          update: of('update'),
          readback: of('readback'),
        },
      };
    }
    const phases = {
      merge: [] as number[],
      forward: [] as number[],
      backward: [] as number[],
      update: [] as number[],
      readback: [] as number[],
    };
    for (let i = 0; i < Math.max(3, Math.ceil(steps / 2)); i++) {
      const images = session.nextImages();
      await sync(images);
      const t0 = performance.now();
      const merged = tf.tidy(() =>
        tf.concat(
          [...mergedEncoder(session.problem, session.lambda, true).values()]
            .map((t) => t.reshape([-1]))
            .slice(0, 1),
        ),
      );
      await sync(merged);
      const t1 = performance.now();
      const loss = tf.tidy(() =>
        tf.sum(
          entropyPerTask(
            session.problem,
            mergedEncoder(session.problem, session.lambda, true),
            images,
            session.perTask,
          ),
        ),
      );
      await sync(loss);
      const t2 = performance.now();
      const { perTask, grad } = session.gradient(images);
      await sync(grad);
      const t3 = performance.now();
      // Adam on a copy so the measured run's optimiser state is left alone.
      const copy = tf.variable(session.lambda.clone());
      const adam = tf.train.adam(1e-3);
      adam.applyGradients([{ name: copy.name, tensor: grad }]);
      await sync(copy);
      const t4 = performance.now();
      await Promise.all([perTask.data(), copy.data()]);
      const t5 = performance.now();
      phases.merge.push(t1 - t0);
      phases.forward.push(t2 - t1 - (t1 - t0));
      phases.backward.push(t3 - t2 - (t2 - t1));
      phases.update.push(t4 - t3);
      phases.readback.push(t5 - t4);
      adam.dispose();
      tf.dispose([images, merged, loss, perTask, grad, copy]);
    }
    return {
      backend: tf.getBackend(),
      msPerStep: median(times.slice(2)),
      coldMs,
      steps,
      phases: {
        merge: median(phases.merge),
        forward: median(phases.forward),
        backward: median(phases.backward),
        update: median(phases.update),
        readback: median(phases.readback),
      },
    };
  } finally {
    session.dispose();
  }
}
