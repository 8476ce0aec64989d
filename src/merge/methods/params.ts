/** Parameter declarations shared by several methods (one definition, many methods). */
import type { ParamSpec } from './types';

export const weightParam: ParamSpec = {
  name: 'weight',
  type: 'number',
  default: 1,
  sliderMin: -1,
  sliderMax: 2,
  step: 0.05,
  help: 'Scale of this model (of its task vector for task-arithmetic methods).',
};

export const densityParam: ParamSpec = {
  name: 'density',
  type: 'number',
  default: 1,
  min: 0,
  max: 1,
  step: 0.01,
  help: 'Fraction of the task vector kept by the sparsifier (1 = keep all).',
};

export const gammaParam: ParamSpec = {
  name: 'gamma',
  type: 'number',
  default: 0.01,
  min: 0,
  max: 1,
  sliderMax: 0.1,
  step: 0.001,
  help: 'Breadcrumbs: fraction of the largest |δ| dropped as outliers (mergekit 0.01, paper 0.006).',
};

export const epsilonParam: ParamSpec = {
  name: 'epsilon',
  type: 'number',
  default: 0.15,
  min: 0,
  max: 0.5,
  step: 0.01,
  help: 'DELLA: keep probability spreads over density ± epsilon by magnitude rank.',
};

export const lambdaParam: ParamSpec = {
  name: 'lambda',
  type: 'number',
  default: 1,
  sliderMin: 0,
  sliderMax: 2,
  step: 0.05,
  help: 'Scale of the merged task vector (papers use 0.3 for task arithmetic and TIES).',
};

export const normalizeParam = (byDefault: boolean): ParamSpec => ({
  name: 'normalize',
  type: 'boolean',
  default: byDefault,
  help: 'Divide by the sum of the weights (of the agreeing models for TIES-style consensus).',
});

export const rescaleParam = (byDefault: 'l1' | 'none'): ParamSpec => ({
  name: 'rescale',
  type: 'enum',
  options: ['l1', 'inverse_density', 'none'],
  default: byDefault,
  help: 'Rescale kept entries: l1 (mergekit: restore the L1 norm), inverse_density (papers: ÷ keep probability), none. true/false mean l1/none.',
});

export const int8MaskParam: ParamSpec = {
  name: 'int8_mask',
  type: 'boolean',
  default: false,
  help: 'mergekit memory option; accepted and ignored (no effect on the result).',
};

export const trimScopeParam: ParamSpec = {
  name: 'trim_scope',
  type: 'enum',
  options: ['tensor', 'model'],
  default: 'tensor',
  help: 'Magnitude trim per tensor (mergekit) or over the whole flattened task vector (official TIES).',
  studioOnly: true,
};

export const disjointParam: ParamSpec = {
  name: 'disjoint',
  type: 'enum',
  options: ['mean', 'sum'],
  default: null,
  help: 'Disjoint merge of agreeing entries: mean (official TIES; normalize on) or sum (AdaMerging/FusionBench; normalize off). Overrides normalize.',
  studioOnly: true,
};

export const zeroSignParam: ParamSpec = {
  name: 'zero_sign',
  type: 'enum',
  options: ['positive', 'majority'],
  default: 'positive',
  help: 'An elected sign of 0 becomes + (mergekit) or the model-wide majority sign (official TIES).',
  studioOnly: true,
};

export const electParam: ParamSpec = {
  name: 'elect',
  type: 'enum',
  options: ['weighted', 'unweighted'],
  default: 'weighted',
  help: 'Elect the sign on the weighted deltas (mergekit) or on the unweighted trimmed ones, weights applied after (AdaMerging++; needs disjoint: sum).',
  studioOnly: true,
};

export const rowWiseParam: ParamSpec = {
  name: 'row_wise',
  type: 'boolean',
  default: false,
  help: 'Sparsify each row (last dim) separately (official Breadcrumbs) instead of the whole tensor (mergekit).',
  studioOnly: true,
};

export const linesAlphaParam: ParamSpec = {
  name: 'lines_alpha',
  type: 'number',
  default: 1,
  sliderMin: 0,
  sliderMax: 2,
  step: 0.05,
  help: 'LiNeS: scale of the merged task vector for the first block and non-block tensors.',
  studioOnly: true,
};

export const linesBetaParam: ParamSpec = {
  name: 'lines_beta',
  type: 'number',
  default: 0,
  sliderMin: 0,
  sliderMax: 1.5,
  step: 0.05,
  help: 'LiNeS: extra scale growing linearly with depth: block ℓ of L gets lines_alpha + lines_beta·ℓ/(L−1).',
  studioOnly: true,
};
