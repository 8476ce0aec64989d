/** Parameter declarations shared by the catalogue's whole-tensor methods. */
import type { ParamSpec } from './types';

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
