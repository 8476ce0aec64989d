import { weightParam } from './params';
import type { MethodDefinition } from './types';

export const nuslerp: MethodDefinition = {
  name: 'nuslerp',
  prettyName: 'NuSLERP',
  paper: 'https://github.com/arcee-ai/mergekit/blob/main/docs/merge_methods.md',
  description:
    'SLERP of two models with t = w₂/(w₁ + w₂); with a base model, of their task vectors (then added to the base). Whole tensor, per row or per column.',
  kind: 'tensor_method',
  needsBase: false,
  optionalBase: true,
  minModels: 2,
  maxModels: 2,
  globalParams: [
    {
      name: 'nuslerp_flatten',
      type: 'boolean',
      default: true,
      help: 'Treat the whole tensor as one vector (mergekit default); off: per row or column.',
    },
    {
      name: 'nuslerp_row_wise',
      type: 'boolean',
      default: false,
      help: 'Without flatten: interpolate column vectors (dim 0) instead of rows (last dim).',
    },
  ],
  modelParams: [{ ...weightParam, help: 'Relative weight of this model (t = w₂/(w₁ + w₂)).' }],
};
