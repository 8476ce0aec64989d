/**
 * The learned λ as a merge like any other: a mergekit recipe (task arithmetic, `normalize:
 * false`, λ per task — per tensor as `{filter, value}` lists when layer-wise; AdaMerging++ as
 * TIES with `elect: unweighted`, adapt's adamergingRecipeFor) that the merge
 * engine runs to write the merged model, so the exported tensors are the engine's and re-running
 * the recipe gives them again. The CLIP base's other parts (text tower, projections, logit
 * scale) are not merged: the recipe lists them as task-specific, which copies them from the base.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { adamergingRecipeFor, type AdaMergingResult } from '../../adapt';
import { recipeToYaml } from '../../merge';
import type { Recipe } from '../../merge';
import { runMerge } from '../commands/merge';
import type { CliIo } from '../types';
import { CLIP_UNMERGED } from '../../models';
import type { NamedPath } from './task-args';

export function clipAdaMergingRecipe(
  result: AdaMergingResult,
  basePath: string,
  finetunes: readonly NamedPath[],
): Recipe {
  return adamergingRecipeFor(result, {
    baseModel: basePath,
    modelOf: (task) => finetunes.find((f) => f.name === task)!.path,
    taskSpecific: CLIP_UNMERGED,
  });
}

/** Recipe paths relative to the output folder, which is where the engine resolves them. */
function relativeTo(out: string, path: string): string {
  return relative(resolve(out), resolve(path)) || '.';
}

export async function writeAdaMergedFolder(
  out: string,
  result: AdaMergingResult,
  basePath: string,
  finetunes: readonly NamedPath[],
  io: CliIo,
): Promise<void> {
  const recipeFor = (from: string) =>
    recipeToYaml(
      clipAdaMergingRecipe(
        result,
        relativeTo(from, basePath),
        finetunes.map((f) => ({ name: f.name, path: relativeTo(from, f.path) })),
      ),
    );
  // The engine refuses an output folder that holds one of its inputs (the recipe): run it from
  // a temporary recipe, and publish the portable one (paths relative to the folder) with the
  // weights, side files and card as one unit.
  const method = result.plus ? 'AdaMerging++ (TIES, learned λ)' : 'AdaMerging (learned λ)';
  const recipeFile = join(out, 'mergekit_config.yml');
  const scratch = await mkdtemp(join(tmpdir(), 'adamerge-recipe-'));
  try {
    const temporary = join(scratch, 'mergekit_config.yml');
    await writeFile(temporary, recipeFor(scratch));
    const publishRecipe = { yaml: recipeFor(out), title: method };
    const code = await runMerge({ config: temporary, out, device: 'cpu', publishRecipe }, io);
    if (code !== 0) throw new Error(`the merge of the learned recipe into ${out} failed`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  io.out(`wrote ${out}: the merged CLIP model (an HF CLIPModel folder) and ${recipeFile}`);
}
