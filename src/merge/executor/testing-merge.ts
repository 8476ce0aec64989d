/**
 * Specs' merge of the three-task test pool: `yaml` (with the pool's task-specific heads) planned
 * and executed on `backend` into memory, optionally in chunks of `chunkElements`; with
 * `modulators` (EMR) also its modulators file's bytes.
 */
import { memorySink, memorySinkFolder } from '../../io';
import type { MergeBackend } from '../backend';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { poolCheckpoints } from '../testing-pool';
import { RECIPE_HEADS } from '../testing-recipes';
import { executeMerge } from './index';

export async function mergeTestPool(
  yaml: string,
  backend: MergeBackend,
  chunkElements?: number,
  modulators = false,
) {
  const ckpts = await poolCheckpoints(3);
  const plan = await planMerge(parseRecipe(yaml + RECIPE_HEADS, 'test.yml').recipe, ckpts);
  const folder = memorySinkFolder();
  const sink = modulators ? memorySink('emr_modulators.safetensors') : undefined;
  const summary = await executeMerge(plan, backend, folder, {
    chunkElements,
    ...(sink ? { modulatorOutput: sink } : {}),
  });
  const bytes = folder.files.get('model.safetensors')!;
  return { bytes, summary, ...(sink ? { modulatorBytes: sink.bytes() } : {}) };
}
