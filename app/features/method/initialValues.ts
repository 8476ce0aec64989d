/**
 * Where the form starts when it differs from the method's declared default (which is
 * mergekit's, and what the engine and the CLI use for a recipe that leaves a value out):
 * the papers' settings. Task arithmetic at λ = 1 with every weight 1 adds eight task vectors
 * at full strength and destroys the demo's models; Ilharco et al. pick λ ≈ 0.3–0.4 on
 * validation data (FusionBench uses 0.3). TIES at density 1 trims nothing; Yadav et al. keep
 * the top 20 %. These values are written into every recipe the studio exports.
 */
import type { ParamValue } from '../../store';

interface Initial {
  global?: Record<string, ParamValue>;
  model?: Record<string, ParamValue>;
  /** Where the value comes from, for the form's note. */
  source: string;
}

export const INITIAL_VALUES: Record<string, Initial> = {
  task_arithmetic: { global: { lambda: 0.3 }, source: 'Task Arithmetic paper, FusionBench' },
  ties: { model: { density: 0.2 }, source: 'TIES paper: keep the top 20 %' },
};

/** The global values a method starts with (a fresh copy: the store owns it). */
export function initialGlobals(method: string | null): Record<string, ParamValue> {
  return { ...(method ? INITIAL_VALUES[method]?.global : undefined) };
}

/** The per-model values a method starts with, for every model alike. */
export function initialModelValues(method: string | null): Record<string, ParamValue> {
  return { ...(method ? INITIAL_VALUES[method]?.model : undefined) };
}

export function initialSource(method: string | null): string | null {
  return (method && INITIAL_VALUES[method]?.source) || null;
}
