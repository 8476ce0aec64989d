/**
 * Export of the last run's most re-aligned model (representation, else heads, else the plain
 * merge): its encoder and decoders, plus the adapters as extra tensors `adapters.<i>.A/B`
 * (block i's output becomes f(x) + (x·A)·B; a parallel adapter does not fold into the block's
 * weights exactly), written by the project's safetensors writer (src/merge paramsToBytes →
 * io SafetensorsWriter); the recipe is the engine's merge recipe plus the fix as comments.
 */
import { HEAD_ROW, REPRESENTATION_ROW, simoMerge } from '../../adapt';
import { tasksRecipe } from '../../eval';
import { paramsToBytes, recipeToYaml } from '../../merge';
import type { Params } from '../../core';
import { Transfer } from '../serve';
import type { StudioSession } from '../session';
import type { Methods } from '../protocol';
import type { SimoLastRun } from './state';

type Result = Methods['simoExport']['result'];

function recipeOf(run: SimoLastRun, session: StudioSession, row: string): string {
  const { manifest } = session.simo.thePool();
  const o = run.options;
  const tasks = manifest.config.tasks.map((t) => t.name);
  const recipe = tasksRecipe(
    tasks,
    simoMerge(o.method, o.lambda, o.density).merge,
    o.split.taskSpecific,
  );
  recipe.baseModel = manifest.base;
  recipe.models = recipe.models.map((m) => ({ ...m, model: manifest.singles[m.model]! }));
  const fix =
    row === run.result.mergeLabel
      ? 'none'
      : `${row.slice(2)} (${o.steps} steps${row === REPRESENTATION_ROW ? `, rank ${o.rank ?? 16}` : ''}, validation ${o.valFraction} of ${manifest.data.train} training scenes = ${run.result.valImages} images, seed ${manifest.data.seed})`;
  return [
    recipeToYaml(recipe).trimEnd(),
    '# SIMO re-alignment after the merge (Merge Studio; not a mergekit step):',
    `#   fix: ${fix}`,
    '#   adapters.<i>.A/B (when present): block i output f(x) + (x·A)·B, extra tensors',
    '',
  ].join('\n');
}

export async function simoExport(session: StudioSession): Promise<Transfer<Result>> {
  const run = session.simo.theLastRun();
  const row =
    [REPRESENTATION_ROW, HEAD_ROW].find((r) => run.models.has(r)) ?? run.result.mergeLabel;
  const model = run.models.get(row)!;
  const tensors: Params = new Map([...model.params, ...(model.adapters ?? [])]);
  const { config } = session.simo.thePool().manifest;
  const recipeYaml = recipeOf(run, session, row);
  const kind =
    row === REPRESENTATION_ROW ? 'representation' : row === HEAD_ROW ? 'heads' : 'merged';
  const fileName = `simo-${run.options.method}-${kind}.safetensors`;
  const bytes = await paramsToBytes(
    tensors,
    { format: 'merge-studio-dense', config: JSON.stringify(config), recipe: recipeYaml },
    fileName,
  );
  return new Transfer({ fileName, bytes, recipeYaml, row }, [bytes.buffer as ArrayBuffer]);
}
