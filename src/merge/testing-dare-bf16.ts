/**
 * The bf16 DARE check against torch (mergekit_dare_bf16.safetensors): the recipe, the pool as
 * checkpoints and the studio's own keep-masks, shared by the fixture's writer
 * (scripts/reference/dare_bf16_masks.ts) and its spec (mergekit-dare-bf16.spec.ts), so both
 * plan exactly the same merge.
 */
import { memorySource, openSingleCheckpoint, type Checkpoint } from '../io';
import { makeValidSafetensors } from '../io/testing/safetensors-builder';
import { bf16Kept } from './cpu/bf16';
import type { MergePlan } from './plan';

export interface DareBf16Settings {
  weights: number[];
  densities: number[];
  seed: number;
  /** Tensors whose checkpoints store BF16 (the others F32, values bf16 must round). */
  bf16_tensors: string[];
}

export const DARE_METHODS = ['dare_ties', 'dare_linear'] as const;

/** mergekit's recipe: `rescale: true` is its l1 rescale (also the default of both methods). */
export function dareRecipeYaml(method: string, s: DareBf16Settings): string {
  const models = s.weights.map(
    (w, t) =>
      `  - model: task${t + 1}\n    parameters: {weight: ${w}, density: ${s.densities[t]}}\n`,
  );
  return (
    `merge_method: ${method}\nbase_model: base\nmodels:\n${models.join('')}` +
    `parameters: {rescale: true}\ndtype: bfloat16\nrandom_seed: ${s.seed}\n`
  );
}

export interface PoolTensor {
  name: string;
  shape: number[];
  /** Per model (base first): values; a BF16 tensor's are bf16 values, stored as BF16. */
  values: Float32Array[];
}

/** Checkpoints base, task1 … from the pool, each tensor in its own dtype. */
export async function darePoolCheckpoints(
  pool: PoolTensor[],
  s: DareBf16Settings,
): Promise<Map<string, Checkpoint>> {
  const map = new Map<string, Checkpoint>();
  for (let m = 0; m <= s.weights.length; m++) {
    const key = m === 0 ? 'base' : `task${m}`;
    const tensors = pool.map((t) => ({
      name: t.name,
      shape: t.shape,
      dtype: s.bf16_tensors.includes(t.name) ? ('BF16' as const) : ('F32' as const),
      values: t.values[m]!,
    }));
    const bytes = makeValidSafetensors(tensors);
    map.set(key, await openSingleCheckpoint(memorySource(bytes, `${key}.safetensors`), key));
  }
  return map;
}

/**
 * Per tensor, per model, the studio's DARE keep-mask (1 = kept) of the planned merge: its own
 * bf16Kept on a δ of ones, so the mask is whatever the studio's random stream draws.
 */
export function studioDareMasks(plan: MergePlan): Map<string, Uint8Array[]> {
  const masks = new Map<string, Uint8Array[]>();
  for (const step of plan.steps) {
    if (step.kind !== 'merge' || step.job.kind !== 'task_arithmetic') continue;
    const job = step.job;
    const ones = new Float32Array(job.numel).fill(1);
    const perModel = job.weights.map((_, m) => Uint8Array.from(bf16Kept(job, ones, m)));
    masks.set(job.tensorName, perModel);
  }
  return masks;
}
