/** Parameter declarations shared by the catalogue's whole-tensor methods. */
import type { MethodDefinition, ParamSpec } from './types';

/** The scale α of the merged task vector: θ₀ + α·Δ. */
export const alphaParam = (byDefault: number, help: string): ParamSpec => ({
  name: 'alpha',
  type: 'number',
  default: byDefault,
  min: 0,
  sliderMin: 0,
  sliderMax: 3,
  step: 0.05,
  help,
  studioOnly: true,
});

/**
 * What every SVD merge (TSV-M, Iso-C, Iso-CTS, CART) declares alike: a whole-tensor job with
 * a base and at least two task models, 2-D tensors required, studio-only.
 */
export const SVD_MERGE = {
  kind: 'tensor_method',
  needsBase: true,
  minModels: 2,
  requires2d: true,
  studioOnly: true,
  modelParams: [],
} as const satisfies Partial<MethodDefinition>;
