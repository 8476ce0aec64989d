/** How a parameter declaration becomes a control: its value, its slider range, its label. */
import type { ParamSpec } from '../../../src/merge/methods/types';
import type { ParamValue } from '../../store';

/** The value in force: the user's, else the declared default (null = unset, e.g. `disjoint`). */
export function effectiveValue(
  spec: ParamSpec,
  override: ParamValue | undefined,
): ParamValue | null {
  return override ?? spec.default;
}

export function sliderRange(spec: ParamSpec): { min: number; max: number; step: number } {
  const min = spec.sliderMin ?? spec.min ?? 0;
  const max = spec.sliderMax ?? spec.max ?? 1;
  const step = spec.step ?? (spec.type === 'int' ? 1 : 0.01);
  return { min, max, step };
}

/**
 * The declared hard limits as text ("allowed 0 … 1", "allowed ≥ 0"), null when the parameter
 * has none: the form shows what the planner will accept, not only the slider's span.
 */
export function allowedRange(spec: ParamSpec): string | null {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) return `allowed ${min} … ${max}`;
  if (min !== undefined) return `allowed ≥ ${min}`;
  if (max !== undefined) return `allowed ≤ ${max}`;
  return null;
}

/** "mask_lambda" → "Mask lambda". */
export function paramLabel(name: string): string {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
