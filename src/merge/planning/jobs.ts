/** Job templates from resolved per-tensor parameters (one function per method kind). */
import type { RescaleMode, ZeroSignRule } from '../backend';
import { linesScale } from '../layers';
import type { MethodDefinition, ParamValue } from '../methods/types';
import type { ResolvedParams } from '../recipe/resolve';
import { tensorMethodProblems } from '../cpu/tensor-methods';
import type { JobTemplate } from './types';

const num = (v: ParamValue | undefined, fallback: number) => (typeof v === 'number' ? v : fallback);
const bool = (v: ParamValue | undefined, fallback: boolean) =>
  typeof v === 'boolean' ? v : fallback;

export interface TensorContext {
  name: string;
  shape: number[];
  numel: number;
  layerIndex: number | null;
  numLayers: number;
  seed: number;
  /** The merge takes θ₀ from a base model (the first input). */
  hasBase: boolean;
}

/** Builds the job template, or returns the problems with these parameter values. */
export function buildJobTemplate(
  method: MethodDefinition,
  p: ResolvedParams,
  t: TensorContext,
): { job?: JobTemplate; problems: string[] } {
  const head = { tensorName: t.name, shape: t.shape, numel: t.numel };
  const g = p.global;
  const problems: string[] = [];
  switch (method.kind) {
    case 'task_arithmetic': {
      const family = method.family!;
      const densities = p.models.map((m) => num(m.density, 1));
      const epsilons = p.models.map((m) => num(m.epsilon, 0));
      if (family.sparsifier === 'della_magprune') {
        densities.forEach((d, i) => {
          const e = epsilons[i] as number;
          if (d < 1 && !(d - e > 0 && d + e < 1)) {
            problems.push(
              `${t.name}: model ${i + 1}: della needs 0 < density − epsilon and density + epsilon < 1 (density ${d}, epsilon ${e})`,
            );
          }
        });
      }
      const disjoint = g.disjoint;
      const normalize =
        typeof disjoint === 'string' ? disjoint === 'mean' : bool(g.normalize, false);
      const electUnweighted = g.elect === 'unweighted';
      if (electUnweighted && normalize)
        problems.push(
          `${t.name}: elect: unweighted sums the agreeing entries; set disjoint: sum (normalize: false)`,
        );
      const job: JobTemplate = {
        kind: 'task_arithmetic',
        ...head,
        weights: p.models.map((m) => num(m.weight, 1)),
        densities,
        gammas: p.models.map((m) => num(m.gamma, 0)),
        epsilons,
        consensus: family.consensus,
        sparsifier: family.sparsifier,
        rescale: (g.rescale as RescaleMode | undefined) ?? 'none',
        normalize,
        lambda: num(g.lambda, 1),
        seed: t.seed,
        zeroSign: (g.zero_sign as ZeroSignRule | undefined) ?? 'positive',
        majoritySign: 0,
        rowWise: bool(g.row_wise, false),
        deltaScale: linesScale(
          num(g.lines_alpha, 1),
          num(g.lines_beta, 0),
          t.layerIndex,
          t.numLayers,
        ),
        ...(electUnweighted ? { electUnweighted } : {}),
      };
      return { job, problems };
    }
    case 'linear': {
      const weights = p.models.map((m) => num(m.weight, 1));
      const normalize = bool(g.normalize, true);
      if (normalize && Math.abs(weights.reduce((a, b) => a + b, 0)) < 1e-8) {
        problems.push(`${t.name}: linear with normalize: the weights sum to 0`);
      }
      return { job: { kind: 'linear', ...head, weights, normalize }, problems };
    }
    case 'slerp':
      return { job: { kind: 'slerp', ...head, t: num(g.t, 0.5) }, problems };
    case 'model_stock':
      return {
        job: { kind: 'model_stock', ...head, filterWise: bool(g.filter_wise, false) },
        problems,
      };
    case 'consensus':
      return {
        job: {
          kind: 'consensus',
          ...head,
          maskLambdas: p.models.map((m) => num(m.mask_lambda, 0.4)),
          k: num(g.k, 2),
          alpha: num(g.alpha, 1),
          emitTaskModels: false,
        },
        problems,
      };
    case 'tensor_method': {
      const job: JobTemplate = {
        kind: 'tensor_method',
        ...head,
        method: method.name,
        hasBase: t.hasBase,
        global: p.global,
        perModel: p.models,
      };
      problems.push(...tensorMethodProblems(job));
      return { job, problems };
    }
  }
}
