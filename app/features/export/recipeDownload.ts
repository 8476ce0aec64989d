/** Downloads a recipe as mergekit YAML with paths the CLI resolves (see exportRecipe.ts). */
import type { Recipe } from '../../../src/worker/protocol';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';
import { downloadBlob } from './download';
import { withFilePaths } from './exportRecipe';

export const RECIPE_FILE = 'merge_recipe.yml';

/** Resolves to a note for the status line. */
export async function downloadRecipe(recipe: Recipe, what: string): Promise<string> {
  try {
    const runnable = withFilePaths(recipe, useStudio.getState().checkpoints);
    const { yaml } = await studio().call('recipeYaml', { recipe: runnable });
    downloadBlob(new Blob([yaml], { type: 'application/yaml' }), RECIPE_FILE);
    return `${what} saved as ${RECIPE_FILE}. Its model paths are relative to the folder the files came from (the demo: public/zoo): save it there and run  npm run cli -- merge --config public/zoo/${RECIPE_FILE} --out merged.safetensors`;
  } catch (error) {
    return `The recipe could not be written: ${error instanceof Error ? error.message : String(error)}`;
  }
}
