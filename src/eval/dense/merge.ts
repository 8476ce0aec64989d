/**
 * Merging a SIMO pool with the merge engine: the encoders of the chosen tasks' fine-tunes over
 * the base by any recipe method (the zoo's presets, ../zoo-merges.ts), each task's decoder kept
 * as it is (the recipe's task_specific filter `decoders.`).
 */
import type { Params } from '../../core';
import { mergeParams } from '../../merge';
import { DECODER_PREFIX } from '../../models';
import { BASE_KEY, tasksRecipe, type ZooMerge } from '../zoo-merges';

/**
 * The merged encoder plus the decoder of every task in `tasks` (from its own fine-tune).
 * `taskSpecific`: the recipe's never-merged name filters (default the decoders; the studio's
 * split may add more, and the engine refuses one several fine-tunes hold with other values).
 */
export async function denseMerge(
  base: Params,
  singles: ReadonlyMap<string, Params>,
  tasks: readonly string[],
  merge: ZooMerge,
  taskSpecific: string[] = [DECODER_PREFIX],
): Promise<Params> {
  const models = new Map<string, Params>([[BASE_KEY, base]]);
  for (const t of tasks) {
    const m = singles.get(t);
    if (!m) throw new Error(`dense merge: no fine-tune for task "${t}"`);
    models.set(t, m);
  }
  return mergeParams(tasksRecipe(tasks, merge, taskSpecific), models);
}
