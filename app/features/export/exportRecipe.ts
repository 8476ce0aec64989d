/**
 * A recipe as the CLI can run it. In the studio, models are named by checkpoint names (the
 * demo's are "base", "mnist", …); the CLI resolves `model:` as a path relative to the recipe
 * file. So each name becomes the file (or folder) it was opened from: a single file by its
 * file name, a sharded one by its index, an HF folder by the folder's name. Saved into the
 * folder the checkpoints came from (the demo: public/zoo), `cli merge --config` finds them.
 */
import type { Recipe } from '../../../src/worker/protocol';
import type { CheckpointEntry } from '../../store';

function pathOf(entry: CheckpointEntry | undefined): string | null {
  if (entry?.status !== 'ready') return null;
  const { layout, files } = entry.summary;
  if (layout === 'hf-folder') return entry.name;
  if (layout === 'sharded') return files.find((f) => f.endsWith('.index.json')) ?? files[0] ?? null;
  return files[0] ?? null;
}

export function withFilePaths(recipe: Recipe, checkpoints: CheckpointEntry[]): Recipe {
  const byName = new Map(checkpoints.map((c) => [c.name, c]));
  const path = (name: string) => pathOf(byName.get(name)) ?? name;
  return {
    ...recipe,
    ...(recipe.baseModel !== undefined ? { baseModel: path(recipe.baseModel) } : {}),
    models: recipe.models.map((m) => ({ ...m, model: path(m.model) })),
  };
}
