/**
 * Merging a SIMO pool with the merge engine: the encoders of the chosen tasks' fine-tunes over
 * the base by any recipe method (the zoo's presets, ../zoo-merges.ts), each task's decoder kept
 * as it is (the recipe's task_specific filter `decoders.`).
 */
import type { Params } from '../../core';
import { mergeParams } from '../../merge';
import { DECODER_PREFIX } from '../../models';
import { BASE_KEY, tasksRecipe, type ZooMerge } from '../zoo-merges';

/** The merged encoder plus the decoder of every task in `tasks` (from its own fine-tune). */
export async function denseMerge(
  base: Params,
  singles: ReadonlyMap<string, Params>,
  tasks: readonly string[],
  merge: ZooMerge,
): Promise<Params> {
  const models = new Map<string, Params>([[BASE_KEY, base]]);
  for (const t of tasks) {
    const m = singles.get(t);
    if (!m) throw new Error(`dense merge: no fine-tune for task "${t}"`);
    models.set(t, m);
  }
  return mergeParams(tasksRecipe(tasks, merge, [DECODER_PREFIX]), models);
}
