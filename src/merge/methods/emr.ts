import type { MethodDefinition } from './types';

export const emr: MethodDefinition = {
  name: 'emr',
  prettyName: 'EMR (elect, mask, rescale)',
  paper: 'https://arxiv.org/abs/2405.17461',
  description:
    'A unified task vector (elected sign, largest agreeing magnitude) plus, per task, a 1-bit mask and a scalar rescaler that recover that task’s model; the merged file is the unified model, the modulators go to a separate file.',
  kind: 'tensor_method',
  needsBase: true,
  minModels: 2,
  studioOnly: true,
  globalParams: [],
  modelParams: [],
};
