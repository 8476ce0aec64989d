/**
 * Task-vector analysis (τₜ = θₜ − θ₀): cosine similarity between task vectors, per-block
 * norms, and the sign-conflict rate between pairs. Streams tensor by tensor over the base and
 * the fine-tunes: at any time only one tensor of each model is in memory.
 */
import type { Checkpoint } from '../io';
import { type ProgressCallback, progressReporter } from '../core';
import { layerIndexOf } from '../merge';
import { AnalysisError } from './errors';
import { PairStats } from './pair-stats';
import type { TaskVectorAnalysis } from './types';

export interface AnalysisOptions {
  /** Tensors left out (task-specific heads; they differ per task and are not merged). */
  isTaskSpecific?: (tensorName: string) => boolean;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Checks every fine-tune has the tensor with the base's shape, before anything is read. */
function checkAligned(base: Checkpoint, tasks: readonly Checkpoint[], names: string[]): void {
  for (const task of tasks) {
    for (const name of names) {
      const mine = task.tensors.get(name);
      const theirs = base.tensors.get(name)!;
      if (!mine) throw new AnalysisError(task.name, name, 'missing (the base has it)');
      if (!sameShape(mine.info.shape, theirs.info.shape)) {
        throw new AnalysisError(
          task.name,
          name,
          `shape [${mine.info.shape.join(', ')}] differs from the base's [${theirs.info.shape.join(', ')}]`,
        );
      }
    }
  }
}

export async function analyzeTaskVectors(
  base: Checkpoint,
  tasks: readonly Checkpoint[],
  options: AnalysisOptions = {},
): Promise<TaskVectorAnalysis> {
  const skip = options.isTaskSpecific ?? (() => false);
  const names = [...base.tensors.keys()].filter((name) => !skip(name));
  checkAligned(base, tasks, names);
  const stats = new PairStats(tasks.map((t) => t.name));
  const progress = progressReporter('analysing task vectors', names.length, options.onProgress);
  for (const name of names) {
    options.signal?.throwIfAborted();
    const theta0 = await base.readF32(name);
    const deltas = await Promise.all(
      tasks.map(async (task) => {
        const theta = await task.readF32(name);
        // A new array: readF32 may hand back a view of the file's bytes, never written to.
        const delta = new Float32Array(theta.length);
        for (let i = 0; i < delta.length; i++) delta[i] = theta[i]! - theta0[i]!;
        return delta;
      }),
    );
    stats.add(layerIndexOf(name), deltas);
    progress.advance(1);
  }
  progress.finish();
  return stats.result();
}
