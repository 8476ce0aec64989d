/** The methods the merge benchmark runs, as mergekit-style recipes over the pool's files. */
import { modelFile } from './pool';

export interface MergeCase {
  id: string;
  label: string;
  /** The recipe for a pool of `fineTunes` fine-tunes of `layers` layers each. */
  yaml: (fineTunes: number, layers: number) => string;
}

function modelsBlock(fineTunes: number, params: string): string {
  const parameters = params ? `\n    parameters: {${params}}` : '';
  return Array.from(
    { length: fineTunes },
    (_, i) => `  - model: ${modelFile(i + 1)}${parameters}`,
  ).join('\n');
}

function recipe(method: string, modelParams: string, global: string, fineTunes: number): string {
  return [
    `merge_method: ${method}`,
    `base_model: ${modelFile(0)}`,
    'models:',
    modelsBlock(fineTunes, modelParams),
    `parameters: {${global}}`,
    'random_seed: 7',
    'dtype: float32',
    '',
  ].join('\n');
}

/** mergekit's `slices`: layers [0, half) of ft1 then [half, layers) of ft2, stacked. */
function passthroughSlices(layers: number): string {
  const half = Math.max(1, Math.floor(layers / 2));
  return [
    'merge_method: passthrough',
    'slices:',
    `  - sources: [{model: ${modelFile(1)}, layer_range: [0, ${half}]}]`,
    `  - sources: [{model: ${modelFile(2)}, layer_range: [${half}, ${layers}]}]`,
    'dtype: float32',
    '',
  ].join('\n');
}

/**
 * The catalogue's methods (issue #21), each at its declared defaults (empty parameters) except
 * where a parameter has no default (nearswap's t) or mergekit needs per-model weights.
 */
const CATALOGUE_CASES: MergeCase[] = [
  ...['tsv_m', 'iso_c', 'iso_cts', 'cart', 'emr', 'pcb', 'sce', 'ram', 'ramplus_tl'].map((m) => ({
    id: m,
    label: m,
    yaml: (n: number) => recipe(m, '', '', n),
  })),
  {
    id: 'sce_topk',
    label: 'sce (select_topk: 0.5)',
    yaml: (n: number) => recipe('sce', '', 'select_topk: 0.5', n),
  },
  { id: 'nuslerp', label: 'nuslerp (2 models)', yaml: () => recipe('nuslerp', 'weight: 1', '', 2) },
  { id: 'multislerp', label: 'multislerp', yaml: (n) => recipe('multislerp', 'weight: 1', '', n) },
  {
    id: 'karcher',
    label: 'karcher (9 models)',
    yaml: (n) =>
      [
        'merge_method: karcher',
        'models:',
        Array.from({ length: n + 1 }, (_, i) => `  - model: ${modelFile(i)}`).join('\n'),
        'dtype: float32',
        '',
      ].join('\n'),
  },
  {
    id: 'nearswap',
    label: 'nearswap (t: 0.005)',
    yaml: () => recipe('nearswap', '', 't: 0.005', 1),
  },
  { id: 'arcee_fusion', label: 'arcee_fusion', yaml: () => recipe('arcee_fusion', '', '', 1) },
];

export const MERGE_CASES: MergeCase[] = [
  {
    id: 'task_arithmetic',
    label: 'task_arithmetic',
    yaml: (n) => recipe('task_arithmetic', 'weight: 1', 'lambda: 0.3', n),
  },
  {
    id: 'ties_model',
    label: 'ties (trim_scope: model)',
    yaml: (n) =>
      recipe('ties', 'weight: 1, density: 0.2', 'trim_scope: model, lambda: 1, normalize: true', n),
  },
  {
    id: 'ties_tensor',
    label: 'ties (trim_scope: tensor)',
    yaml: (n) => recipe('ties', 'weight: 1, density: 0.2', 'lambda: 1', n),
  },
  {
    id: 'dare_ties',
    label: 'dare_ties',
    yaml: (n) => recipe('dare_ties', 'weight: 1, density: 0.3', 'lambda: 1', n),
  },
  {
    id: 'breadcrumbs',
    label: 'breadcrumbs',
    yaml: (n) => recipe('breadcrumbs', 'weight: 1, density: 0.8, gamma: 0.01', 'lambda: 1', n),
  },
  {
    id: 'della',
    label: 'della',
    yaml: (n) => recipe('della', 'weight: 1, density: 0.5, epsilon: 0.1', 'lambda: 1', n),
  },
  {
    id: 'consensus',
    label: 'consensus (TALL, k=2)',
    yaml: (n) => recipe('consensus', 'mask_lambda: 0.4', 'k: 2, alpha: 1', n),
  },
  {
    id: 'model_stock',
    label: 'model_stock',
    yaml: (n) => recipe('model_stock', '', 'filter_wise: false', n),
  },
  {
    id: 'linear',
    label: 'linear (9 models)',
    yaml: (n) =>
      [
        'merge_method: linear',
        'models:',
        Array.from(
          { length: n + 1 },
          (_, i) => `  - model: ${modelFile(i)}\n    parameters: {weight: 1}`,
        ).join('\n'),
        'parameters: {normalize: true}',
        'dtype: float32',
        '',
      ].join('\n'),
  },
  ...CATALOGUE_CASES,
  {
    id: 'passthrough_slices',
    label: 'passthrough (slices: 2 models stacked)',
    yaml: (_n, layers) => passthroughSlices(layers),
  },
];

/** `--cases a,b` (ids above) limits a run to some methods, for quick looks; default all. */
export function selectedCases(argv: string[] = process.argv): MergeCase[] {
  const i = argv.indexOf('--cases');
  const ids = i >= 0 ? (argv[i + 1] ?? '').split(',') : undefined;
  return ids ? MERGE_CASES.filter((c) => ids.includes(c.id)) : MERGE_CASES;
}
