/**
 * `runAdaMerging(zoo, options, callbacks)`: learns λ by minimising the entropy of each task's
 * predictions on its unlabeled test inputs, streaming one StepEvent per step and an EvalEvent
 * every `evalEvery` steps; pause/resume through a PauseToken, cancel through an AbortSignal.
 * Runs on whatever tfjs backend is active (initTf first).
 */
import * as tf from '@tensorflow/tfjs';
import type { LoadedZoo } from '../../zoo';
import { AdaMergingSession } from './session';
import type { Params } from '../../core';
import type { AdaMergingCallbacks, AdaMergingOptions, AdaMergingResult, StepEvent } from './types';

export interface AdaMergingOutput {
  result: AdaMergingResult;
  /** The merged encoder θ₀ + Σ clamp(λ)·τ (heads are not merged; see exportCheckpoint). */
  merged: Params;
}

/**
 * `gpu`: a WebGPU device for the fused engine while tfjs (evaluation, export) runs on wasm or
 * cpu — the studio's worker on a software adapter, where tfjs-webgpu's own kernels are slow.
 */
export async function runAdaMerging(
  zoo: LoadedZoo,
  options: AdaMergingOptions,
  callbacks: AdaMergingCallbacks = {},
  gpu: GPUDevice | null = null,
): Promise<AdaMergingOutput> {
  const { onStep, onEval, signal, pauseToken } = callbacks;
  const started = performance.now();
  const session = new AdaMergingSession(zoo, options, gpu);
  const o = session.options;
  let firstEntropy = NaN;
  let lastEntropy = NaN;
  /** The next step, already queued on the device while this one's numbers come back. */
  let queued: Promise<StepEvent> | null = null;
  try {
    for (let step = 1; step <= o.steps; step++) {
      signal?.throwIfAborted();
      let current = queued;
      queued = null;
      if (!current) {
        await pauseToken?.wait(signal);
        current = session.startStep();
      }
      const evaluates = onEval && o.evalEvery > 0 && (step % o.evalEvery === 0 || step === o.steps);
      // Keep the device busy: queue step + 1 now, unless the run ends here, this step's λ is
      // about to be evaluated, or the user paused or cancelled (a pause then takes effect one
      // step later at most).
      if (
        session.pipelined &&
        step < o.steps &&
        !evaluates &&
        !pauseToken?.paused &&
        !signal?.aborted
      )
        queued = session.startStep();
      const event = await current;
      if (step === 1) firstEntropy = event.entropyTotal;
      lastEntropy = event.entropyTotal;
      onStep?.(event);
      if (evaluates) onEval(await session.evaluate());
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
    // A step queued before a cancel still runs on the device; its buffers go after it.
    await queued?.catch(() => undefined);
    session.dispose();
  }
}
