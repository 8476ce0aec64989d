/**
 * A plan of the linear members of the task-arithmetic family (task arithmetic itself, with any
 * weights, λ, normalize or LiNeS) as θ₀ + Σₜ cₜ·τₜ per merged tensor, with
 * cₜ = wₜ·λ·deltaScale (÷ Σw when normalize): the engine's own formula
 * (cpu/task-arithmetic.ts, consensus and sparsifier `none`) reduced to one coefficient per
 * task vector. Live exploration keeps θ₀ and every τₜ on the tfjs device and applies these
 * coefficients there (models/task-vector-merge.ts), so a slider move costs a few tensor ops
 * instead of reading, merging and re-uploading every model.
 */
import { guardedDivisor } from './cpu/divisor';
import type { MergePlan, MergeStep } from './planning/types';

/** One merged tensor: inputs in plan order (base first) and a coefficient per task vector. */
export interface LinearStep {
  name: string;
  shape: number[];
  /** The base's recipe key, then one per task model. */
  base: string;
  models: string[];
  coefficients: number[];
}

const f = Math.fround;

/**
 * The plan as θ₀ + Σ cₜ τₜ per merged tensor, or null when some step is not linear in the task
 * vectors (consensus, sparsifiers, other methods) or is written in another dtype than f32 (the
 * engine would round it): those go through the real engine.
 */
export function linearSteps(plan: MergePlan): LinearStep[] | null {
  if (plan.method.kind !== 'task_arithmetic') return null;
  const out: LinearStep[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'merge') continue;
    const linear = linearStep(step);
    if (!linear) return null;
    out.push(linear);
  }
  return out;
}

function linearStep(step: MergeStep): LinearStep | null {
  const job = step.job;
  if (job.kind !== 'task_arithmetic') return null;
  if (job.consensus !== 'none' || job.sparsifier !== 'none') return null;
  if (step.outDtype !== 'F32') return null;
  const [base, ...models] = step.inputs;
  if (base === undefined) return null;
  const weights = models.map((_, m) => f(job.weights[m] ?? 1));
  // div is summed in f32 in model order, as the engine does.
  const div = weights.reduce((a, w) => f(a + w), 0);
  const normalizer = job.normalize ? guardedDivisor(div, false) : 1;
  const scale = (f(job.lambda) * f(job.deltaScale)) / normalizer;
  return {
    name: step.name,
    shape: step.shape,
    base,
    models,
    coefficients: weights.map((w) => w * scale),
  };
}
