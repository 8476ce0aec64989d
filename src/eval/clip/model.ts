/**
 * A CLIP model for zero-shot classification, assembled from the checkpoints a user brings: the
 * vision tower of `model` (a `CLIPModel`, `CLIPVisionModel` or `CLIPVisionModelWithProjection`
 * folder: a fine-tune, a merge, or the base itself), and what a vision-only checkpoint lacks —
 * `visual_projection`, `logit_scale`, the text tower and `text_projection` — from a `CLIPModel`
 * folder (`--clip`, "CLIP base" in the studio), as FusionBench does with its fine-tunes.
 */
import type { Checkpoint } from '../../io';
import { recogniseClip, type ClipConfig } from '../../models';
import { UnsupportedArchitectureError } from '../../models';
import type { NamedArray } from '../../models';
import { ClipEvalError } from './errors';

export const VISUAL_PROJECTION = 'visual_projection.weight';
export const TEXT_PROJECTION = 'text_projection.weight';
export const LOGIT_SCALE = 'logit_scale';

export type NamedArrays = Map<string, NamedArray>;

export interface ClipModel {
  /** The model's own config, with the text tower's config from the CLIP base when it lacks one. */
  config: ClipConfig;
  /** `vision_model.*` of the model checkpoint (what merging changes). */
  vision: NamedArrays;
  /** `visual_projection.weight` [proj, hidden]. */
  projection: NamedArray;
  /** The stored log of the logit scale (logits are multiplied by its exp). */
  logitScale: number;
  /** `text_model.*` and `text_projection.weight`, when a text tower was available. */
  text?: NamedArrays;
  /** Which checkpoint each part came from, for messages. */
  from: { vision: string; projection: string; text?: string };
}

function recognised(checkpoint: Checkpoint): ClipConfig {
  const shapeOf = (name: string) => checkpoint.tensors.get(name)?.info.shape;
  const config = recogniseClip(
    checkpoint.config,
    [...checkpoint.tensors.keys()],
    checkpoint.name,
    shapeOf,
  );
  if (!config) throw new UnsupportedArchitectureError(checkpoint.name);
  return config;
}

async function readMatching(
  checkpoint: Checkpoint,
  keep: (name: string) => boolean,
): Promise<NamedArrays> {
  const out: NamedArrays = new Map();
  for (const [name, t] of checkpoint.tensors) {
    if (!keep(name)) continue;
    // position_ids buffers (int64) are not parameters.
    if (name.endsWith('.position_ids')) continue;
    out.set(name, { shape: t.info.shape, data: await checkpoint.readF32(name) });
  }
  return out;
}

async function readOne(checkpoint: Checkpoint, name: string): Promise<NamedArray | undefined> {
  const t = checkpoint.tensors.get(name);
  if (!t) return undefined;
  return { shape: t.info.shape, data: await checkpoint.readF32(name) };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The part a vision-only checkpoint lacks must fit its vision tower: say which does not. */
function checkBaseFits(model: ClipConfig, base: ClipConfig, modelName: string, baseName: string) {
  const a = model.vision;
  const b = base.vision;
  if (a.hiddenSize !== b.hiddenSize) {
    throw new ClipEvalError(
      `${modelName}: vision hidden size ${a.hiddenSize} does not match the CLIP base ` +
        `${baseName} (${b.hiddenSize})`,
    );
  }
}

/** `vision_model.*` of a checkpoint (a fine-tune's tower: what merging changes). */
export function readVisionTower(checkpoint: Checkpoint): Promise<NamedArrays> {
  return readMatching(checkpoint, (n) => n.startsWith('vision_model.'));
}

/**
 * A fine-tuned tower to merge with `base`: recognised, checked against its config, and of the
 * base's vision architecture (same sizes, so every τ has the base's shapes).
 */
export function checkFinetune(tuned: Checkpoint, base: ClipConfig, baseName: string): ClipConfig {
  const config = recognised(tuned);
  const a = config.vision;
  const b = base.vision;
  for (const key of [
    'hiddenSize',
    'intermediateSize',
    'numLayers',
    'numHeads',
    'imageSize',
    'patchSize',
  ] as const) {
    if (a[key] !== b[key]) {
      throw new ClipEvalError(
        `${tuned.name}: vision ${key} ${a[key]} differs from the base ${baseName} (${b[key]}); ` +
          'fine-tunes must share the base architecture',
      );
    }
  }
  return config;
}

export interface ReadClipOptions {
  /** Also read the text tower (needed to build zero-shot heads; not to score with saved heads). */
  text?: boolean;
}

const missing = (model: Checkpoint, what: string) =>
  new ClipEvalError(
    `${model.name}: has no ${what}; name a CLIPModel folder to take it from (--clip, ` +
      '"CLIP base" in the studio)',
  );

/**
 * The cheap part of {@link readClipModel}, from headers only: both checkpoints recognised and
 * checked against their configs, and every part the job needs present in one of them — so a
 * long job fails before it reads a tensor.
 */
export function checkClipParts(
  model: Checkpoint,
  base: Checkpoint | undefined,
  options: ReadClipOptions = {},
): { model: ClipConfig; base?: ClipConfig } {
  const modelConfig = recognised(model);
  const baseConfig = base ? recognised(base) : undefined;
  if (base && baseConfig) checkBaseFits(modelConfig, baseConfig, model.name, base.name);
  const has = (name: string) => model.tensors.has(name) || (base?.tensors.has(name) ?? false);
  if (!has(VISUAL_PROJECTION))
    throw missing(model, `${VISUAL_PROJECTION} (a vision tower without projection)`);
  if (!has(LOGIT_SCALE)) throw missing(model, LOGIT_SCALE);
  if (options.text && !baseConfig?.text && !modelConfig.text)
    throw missing(model, 'text tower (text_model.*, needed for zero-shot heads)');
  return { model: modelConfig, base: baseConfig };
}

/**
 * Reads the model's vision tower and completes it from `base` (a CLIPModel) where it lacks the
 * projection, the logit scale or the text tower. Throws a {@link ClipEvalError} naming the
 * checkpoint when a needed part is in neither.
 */
export async function readClipModel(
  model: Checkpoint,
  base?: Checkpoint,
  options: ReadClipOptions = {},
): Promise<ClipModel> {
  const { model: modelConfig, base: baseConfig } = checkClipParts(model, base, options);
  const vision = await readVisionTower(model);

  const fromModelOrBase = async (name: string) => {
    const own = await readOne(model, name);
    if (own) return { value: own, from: model.name };
    const inBase = base ? await readOne(base, name) : undefined;
    return inBase ? { value: inBase, from: base!.name } : undefined;
  };
  const projection = await fromModelOrBase(VISUAL_PROJECTION);
  if (!projection) throw missing(model, VISUAL_PROJECTION);
  const hidden = modelConfig.vision.hiddenSize;
  if (projection.value.shape[1] !== hidden) {
    throw new ClipEvalError(
      `${projection.from}: ${VISUAL_PROJECTION} has shape [${projection.value.shape.join(', ')}], ` +
        `expected [proj, ${hidden}] for this vision tower`,
    );
  }
  const scale = await fromModelOrBase(LOGIT_SCALE);
  if (!scale) throw missing(model, LOGIT_SCALE);

  let text: NamedArrays | undefined;
  let textFrom: string | undefined;
  let config = modelConfig;
  if (options.text) {
    const textSource = baseConfig?.text ? base! : modelConfig.text ? model : undefined;
    if (!textSource) throw missing(model, 'text tower');
    text = await readMatching(
      textSource,
      (n) => n.startsWith('text_model.') || n === TEXT_PROJECTION,
    );
    const textProjection = text.get(TEXT_PROJECTION);
    if (!textProjection) throw missing(model, TEXT_PROJECTION);
    if (!sameShape([textProjection.shape[0]!], [projection.value.shape[0]!])) {
      throw new ClipEvalError(
        `${textSource.name}: ${TEXT_PROJECTION} projects to ${textProjection.shape[0]}, but ` +
          `${VISUAL_PROJECTION} of ${projection.from} to ${projection.value.shape[0]}`,
      );
    }
    textFrom = textSource.name;
    if (textSource === base) config = { ...modelConfig, text: baseConfig!.text };
  }
  return {
    config,
    vision,
    projection: projection.value,
    logitScale: scale.value.data[0] ?? 0,
    text,
    from: { vision: model.name, projection: projection.from, text: textFrom },
  };
}
