import type { MethodDefinition } from './types';

export const nearswap: MethodDefinition = {
  name: 'nearswap',
  prettyName: 'NearSwap',
  paper: 'https://huggingface.co/alchemonaut/QuartetAnemoi-70B-t0.0001',
  description:
    'Takes the other model’s value where it is close to the base: weight clamp(t/|θ₀ − θ₁|, 0, 1) towards the other model, per element.',
  kind: 'tensor_method',
  needsBase: true,
  minModels: 1,
  maxModels: 1,
  globalParams: [
    {
      name: 't',
      type: 'number',
      default: null,
      min: 0,
      sliderMax: 0.01,
      step: 0.0001,
      help: 'Distance scale (required, as in mergekit): entries with |θ₀ − θ₁| ≤ t take the other model’s value.',
    },
  ],
  modelParams: [],
};
