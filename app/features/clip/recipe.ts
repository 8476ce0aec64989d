/**
 * The merge recipe the CLIP page evaluates: the loaded base and fine-tunes by their
 * checkpoint names (the worker's registry resolves them), task arithmetic or TIES. The worker
 * lists the CLIP parts that are never merged (text tower, projections) as task-specific.
 */
import type { Recipe } from '../../../src/worker/protocol';

type Parameters = Recipe['models'][number]['parameters'];

export type ClipMergeMethod = 'task_arithmetic' | 'ties';

export interface ClipMergeSettings {
  method: ClipMergeMethod;
  lambda: number;
  /** TIES: fraction of each task vector kept. */
  density: number;
  /**
   * TIES in FusionBench's form (the zoo table's): the top `density` over the whole tower, an
   * exact 0 takes the majority sign, agreeing entries summed. Else mergekit's per-tensor TIES.
   */
  fusionBench?: boolean;
}

export function clipRecipe(base: string, finetunes: string[], s: ClipMergeSettings): Recipe {
  return {
    mergeMethod: s.method,
    baseModel: base,
    models: finetunes.map((model) => {
      const parameters: Parameters = { weight: 1 };
      if (s.method === 'ties') parameters.density = s.density;
      return { model, parameters };
    }),
    parameters: {
      lambda: s.lambda,
      normalize: false,
      ...(s.method === 'ties' && s.fusionBench
        ? { trim_scope: 'model', zero_sign: 'majority', disjoint: 'sum' }
        : {}),
    },
    taskSpecific: [],
  };
}

export function mergeLabel(s: ClipMergeSettings): string {
  const lambda = `λ=${s.lambda.toFixed(2)}`;
  const form = s.fusionBench ? ', FusionBench form' : '';
  return s.method === 'ties'
    ? `TIES (${lambda}, density ${s.density.toFixed(2)}${form})`
    : `Task arithmetic (${lambda})`;
}

/** FusionBench's folder names end in the task ("clip-vit-base-patch32_stanford-cars"). */
export function taskFromFolder(name: string): string {
  const underscore = name.lastIndexOf('_');
  if (underscore >= 0) return name.slice(underscore + 1);
  const dash = name.lastIndexOf('-');
  return dash >= 0 ? name.slice(dash + 1) : name;
}
