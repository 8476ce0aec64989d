/**
 * `runAdaMerging(zoo, options, callbacks)`: learns λ by minimising the entropy of each task's
 * predictions on its unlabeled test inputs, streaming one StepEvent per step and an EvalEvent
 * every `evalEvery` steps; pause/resume through a PauseToken, cancel through an AbortSignal.
 * Runs on whatever tfjs backend is active (initTf first).
 */
import * as tf from '@tensorflow/tfjs';
import type { LoadedZoo } from '../../zoo/load';
import { AdaMergingSession } from './session';
import type { Params } from './task-vectors';
import type { AdaMergingCallbacks, AdaMergingOptions, AdaMergingResult } from './types';

export interface AdaMergingOutput {
  result: AdaMergingResult;
  /** The merged encoder θ₀ + Σ clamp(λ)·τ (heads are not merged; see exportCheckpoint). */
  merged: Params;
}

export async function runAdaMerging(
  zoo: LoadedZoo,
  options: AdaMergingOptions,
  callbacks: AdaMergingCallbacks = {},
): Promise<AdaMergingOutput> {
  const { onStep, onEval, signal, pauseToken } = callbacks;
  const started = performance.now();
  const session = new AdaMergingSession(zoo, options);
  const o = session.options;
  let firstEntropy = NaN;
  let lastEntropy = NaN;
  try {
    for (let step = 1; step <= o.steps; step++) {
      signal?.throwIfAborted();
      await pauseToken?.wait(signal);
      const event = await session.step();
      if (step === 1) firstEntropy = event.entropyTotal;
      lastEntropy = event.entropyTotal;
      onStep?.(event);
      if (onEval && o.evalEvery > 0 && (step % o.evalEvery === 0 || step === o.steps))
        onEval(await session.evaluate());
      // Let the event loop deliver messages (pause, cancel) between steps.
      await new Promise((r) => setTimeout(r, 0));
    }
    signal?.throwIfAborted();
    const result: AdaMergingResult = {
      mode: o.mode,
      plus: o.plus,
      tasks: session.problem.tasks,
      tensorNames: session.problem.tensorNames,
      lambdas: await session.lambdas(),
      rawLambdas: await session.lambdas(true),
      stepsRun: session.stepsRun,
      firstEntropy,
      lastEntropy,
      seconds: (performance.now() - started) / 1000,
      backend: tf.getBackend(),
      engine: session.fused ? 'fused-webgpu' : 'tfjs',
      options: o,
    };
    return { result, merged: await session.mergedWeights() };
  } finally {
    session.dispose();
  }
}
