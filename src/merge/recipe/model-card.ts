/**
 * The model card (README.md) written beside a merged folder, as mergekit writes one: a Hugging
 * Face front matter naming the base and the merged models with the `merge` tag, the method, the
 * inputs and the recipe itself, so the folder says how it was made.
 */
import type { Recipe } from './types';

const quoted = (s: string): string => JSON.stringify(s);

export function modelCard(recipe: Recipe, method: string, recipeYaml: string): string {
  const models = recipe.models.map((m) => m.model).filter((m) => m !== recipe.baseModel);
  const front = [
    '---',
    ...(recipe.baseModel ? [`base_model: ${quoted(recipe.baseModel)}`] : []),
    'tags:',
    '  - merge',
    '  - merge-studio',
    '---',
  ];
  return [
    ...front,
    '',
    '# Merged model',
    '',
    `Merged with Merge Studio, method **${method}** (\`merge_method: ${recipe.mergeMethod}\`).`,
    '',
    '## Inputs',
    '',
    ...(recipe.baseModel ? [`- base: \`${recipe.baseModel}\``] : []),
    ...models.map((m) => `- \`${m}\``),
    '',
    '## Recipe',
    '',
    'Re-running this recipe with `merge --config` gives the same tensors.',
    '',
    '```yaml',
    recipeYaml.trimEnd(),
    '```',
    '',
  ].join('\n');
}
