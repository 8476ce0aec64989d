/**
 * mergekit's layer stacking (`slices` with passthrough; mergekit/plan.py MergePlanner): the
 * output's layers are the slices' layer ranges in order, renumbered from 0 — output layer
 * i + (layers of the earlier slices) is layer layer_range[0] + i of that slice's source.
 * Tensors outside numbered layers come from the first slice's source (mergekit's
 * pre_weights: embeddings) or the last slice's (post_weights: final norm, LM head); the
 * studio has no architecture tables, so a name tells which (POST_RE).
 *
 * The result is one virtual checkpoint holding the output's names, each entry pointing at
 * the source tensor (ranged reads and readRaw go to the source's file), planned as an
 * ordinary one-model passthrough.
 */
import { layerIndexOf, renumberLayer } from '../layers';
import type { Recipe, SliceSource } from '../recipe/types';
import { MergePlanError, type MergeCheckpoint } from './types';

/** The recipe key of the stacked model in the derived one-model recipe. */
export const STACKED_KEY = '<slices>';

/** Outside numbered layers, after them: final norms, LM heads (mergekit's post_weights). */
const POST_RE =
  /(^|\.)(norm|ln_f|final_layer_norm|final_layernorm|lm_head|head|output|score)(\.|$)/;

export interface StackedSlices {
  recipe: Recipe;
  checkpoints: Map<string, MergeCheckpoint>;
  /** Output layer count (mergekit writes it as num_hidden_layers). */
  numLayers: number;
}

export function stackSlices(
  recipe: Recipe,
  checkpoints: Map<string, MergeCheckpoint>,
): StackedSlices {
  const slices = recipe.slices!.map((s) => s[0]!);
  const problems: string[] = [];
  const tensors: MergeCheckpoint['tensors'] = new Map();
  const sourceName = new Map<string, [MergeCheckpoint, string]>();
  const put = (ckpt: MergeCheckpoint, from: string, to: string) => {
    tensors.set(to, ckpt.tensors.get(from)!);
    sourceName.set(to, [ckpt, from]);
  };
  let out = 0;
  slices.forEach((src, i) => {
    const ckpt = checkpoints.get(src.model);
    if (!ckpt) return problems.push(`model "${src.model}": no checkpoint was opened for it`);
    const byLayer = layersOf(ckpt);
    for (let layer = src.layerRange[0]; layer < src.layerRange[1]; layer++, out++) {
      const names = byLayer.get(layer);
      if (!names) {
        problems.push(
          `slices[${i}]: ${ckpt.name} has no layer ${layer} (layer_range ${JSON.stringify(src.layerRange)}; it has ${byLayer.size})`,
        );
        continue;
      }
      for (const name of names) put(ckpt, name, renumberLayer(name, out));
    }
  });
  if (problems.length > 0) throw new MergePlanError(problems);
  for (const [src, post] of [
    [slices[0]!, false],
    [slices.at(-1)!, true],
  ] as [SliceSource, boolean][]) {
    const ckpt = checkpoints.get(src.model)!;
    for (const name of ckpt.tensors.keys()) {
      if (layerIndexOf(name) === null && POST_RE.test(name) === post) put(ckpt, name, name);
    }
  }
  const first = checkpoints.get(slices[0]!.model)!;
  const stacked: MergeCheckpoint = {
    name: `slices of ${[...new Set(slices.map((s) => checkpoints.get(s.model)!.name))].join(', ')}`,
    tensors,
    readRaw: (name) => {
      const found = sourceName.get(name);
      if (!found) return first.readRaw(name);
      return found[0].readRaw(found[1]);
    },
  };
  const derived: Recipe = {
    ...recipe,
    slices: undefined,
    models: [{ model: STACKED_KEY, parameters: {} }],
  };
  delete derived.slices;
  return { recipe: derived, checkpoints: new Map([[STACKED_KEY, stacked]]), numLayers: out };
}

function layersOf(ckpt: MergeCheckpoint): Map<number, string[]> {
  const byLayer = new Map<number, string[]>();
  for (const name of ckpt.tensors.keys()) {
    const layer = layerIndexOf(name);
    if (layer === null) continue;
    const list = byLayer.get(layer) ?? [];
    list.push(name);
    byLayer.set(layer, list);
  }
  return byLayer;
}
