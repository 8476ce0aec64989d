/**
 * Recipes over the test pool (testing-pool.ts: base + task1…3, rows of 4 and 8) that exercise
 * every streamed path of the executor: chunks, whole-tensor statistics, per-row chunks. Shared
 * by the CPU chunked-vs-whole spec and the WebGPU streamed spec.
 */
export const recipeModels = (n: number, params: string): string =>
  Array.from({ length: n }, (_, i) => `  - model: task${i + 1}\n    parameters: {${params}}`).join(
    '\n',
  );

/** Each task model has its own head. */
export const RECIPE_HEADS = 'merge_studio: {task_specific: [heads.]}\n';

export const CHUNKED_RECIPES: Record<string, string> = {
  task_arithmetic: `merge_method: task_arithmetic\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 0.7')}\nparameters: {lambda: 0.5}\n`,
  ties_model_majority: `merge_method: ties\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1, density: 0.4')}\nparameters: {trim_scope: model, zero_sign: majority, density: 0.4}\n`,
  ties_model_count: `merge_method: ties\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1')}\nparameters: {trim_scope: model, density: 0.3, normalize: false}\n`,
  linear: `merge_method: linear\nmodels:\n  - model: base\n    parameters: {weight: 2}\n${recipeModels(3, 'weight: 1')}\n`,
  consensus: `merge_method: consensus\nbase_model: base\nmodels:\n${recipeModels(3, 'mask_lambda: 0.3')}\nparameters: {k: 2}\n`,
  dare_ties: `merge_method: dare_ties\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1, density: 0.5')}\nrandom_seed: 3\n`,
  // Whole-tensor statistics of streamed tensors (tensor-statistics.ts): per-tensor bands, the
  // l1 factors, DARE's element offsets; densities that keep nothing (k = 0) and everything.
  ties_tensor: `merge_method: ties\nbase_model: base\nmodels:\n  - model: task1\n    parameters: {weight: 1, density: 0.3}\n  - model: task2\n    parameters: {weight: 0.8, density: 0.01}\n  - model: task3\n    parameters: {weight: 1.2, density: 1}\nparameters: {trim_scope: tensor}\n`,
  ties_tensor_l1: `merge_method: ties\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1, density: 0.45')}\nparameters: {rescale: l1}\n`,
  ties_model_l1: `merge_method: ties\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1, density: 0.35')}\nparameters: {trim_scope: model, rescale: l1}\n`,
  breadcrumbs: `merge_method: breadcrumbs\nbase_model: base\nmodels:\n  - model: task1\n    parameters: {weight: 1, density: 0.5, gamma: 0.1}\n  - model: task2\n    parameters: {weight: 1, density: 0.9, gamma: 0.2}\n  - model: task3\n    parameters: {weight: 1, density: 0.3, gamma: 0}\n`,
  breadcrumbs_ties_l1: `merge_method: breadcrumbs_ties\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1, density: 0.6, gamma: 0.15')}\nparameters: {rescale: l1}\n`,
  dare_linear_inverse: `merge_method: dare_linear\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 0.6, density: 0.4')}\nparameters: {rescale: inverse_density}\nrandom_seed: 11\n`,
  della: `merge_method: della\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1, density: 0.5, epsilon: 0.1')}\nrandom_seed: 5\n`,
  della_linear_inverse: `merge_method: della_linear\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 0.7, density: 0.6, epsilon: 0.2')}\nparameters: {rescale: inverse_density}\nrandom_seed: 9\n`,
  breadcrumbs_rows_l1: `merge_method: breadcrumbs_ties\nbase_model: base\nmodels:\n${recipeModels(3, 'weight: 1, density: 0.5, gamma: 0.25')}\nparameters: {row_wise: true, rescale: l1}\n`,
  slerp: `merge_method: slerp\nbase_model: base\nmodels:\n  - model: base\n  - model: task1\nparameters: {t: 0.35}\n`,
  model_stock: `merge_method: model_stock\nbase_model: base\nmodels:\n${recipeModels(3, '')}\n`,
  model_stock_rows: `merge_method: model_stock\nbase_model: base\nmodels:\n${recipeModels(3, '')}\nparameters: {filter_wise: true}\n`,
};

/** Per-row selections stream whole rows (the pool's rows are 4 and 8 long). */
export const PER_ROW = new Set([
  'della',
  'della_linear_inverse',
  'breadcrumbs_rows_l1',
  'model_stock_rows',
]);
