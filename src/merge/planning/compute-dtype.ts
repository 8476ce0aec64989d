/**
 * mergekit's compute dtype. With `dtype: bfloat16` mergekit computes every op in bf16
 * (src/merge/cpu/bf16.ts); the studio does the same for the jobs it has that arithmetic for —
 * linear, and the task-arithmetic family with mergekit's own options (per-tensor trims, no
 * LiNeS, no majority zero sign, no inverse-density rescale). `merge_studio.compute_dtype:
 * float32` computes in f32 instead (dtype then only names the output dtype). float16 compute
 * is not reproduced (f32, with a warning).
 */
import { bf16Computable } from '../cpu/bf16';
import { parseDtypeName } from '../recipe/dtype';
import type { Recipe } from '../recipe/types';
import type { MergeStep } from './types';

export function applyComputeDtype(
  recipe: Recipe,
  method: string,
  merges: MergeStep[],
  modelScope: boolean,
  warnings: string[],
): void {
  if (!recipe.dtype || recipe.computeDtype === 'float32') return;
  const dtype = parseDtypeName(recipe.dtype);
  if (dtype === 'F32') return;
  if (dtype === 'F16') {
    warnings.push(
      `dtype ${recipe.dtype}: computed in float32 (mergekit computes in float16; only bfloat16 compute is reproduced), written as float16`,
    );
    return;
  }
  let f32 = 0;
  for (const step of merges) {
    const job = step.job;
    const ok =
      job.kind === 'linear' ||
      (job.kind === 'task_arithmetic' && !modelScope && bf16Computable(job));
    if (ok) job.computeDtype = 'BF16';
    else f32++;
  }
  if (f32 > 0) {
    warnings.push(
      `dtype ${recipe.dtype}: ${method} computes ${f32} tensor(s) in float32 (mergekit's bf16 arithmetic is reproduced for linear and task-arithmetic methods with mergekit's options only)`,
    );
  }
}
