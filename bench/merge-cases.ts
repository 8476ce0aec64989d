/** The methods the merge benchmark runs, as mergekit-style recipes over the pool's files. */
import { modelFile } from './pool';

export interface MergeCase {
  id: string;
  label: string;
  yaml: (fineTunes: number) => string;
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
];

/** `--cases a,b` (ids above) limits a run to some methods, for quick looks; default all. */
export function selectedCases(argv: string[] = process.argv): MergeCase[] {
  const i = argv.indexOf('--cases');
  const ids = i >= 0 ? (argv[i + 1] ?? '').split(',') : undefined;
  return ids ? MERGE_CASES.filter((c) => ids.includes(c.id)) : MERGE_CASES;
}
