/**
 * Zero-shot heads as CLIP and FusionBench build them: every class name filled into every
 * prompt template, through the text tower and `text_projection`, each embedding L2-normalised,
 * averaged over the templates, normalised again. One row per class, in class order:
 * logits = exp(logit_scale) · normalize(image embedding) · Wᵀ (see ./classify.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { clipTextEmbeds } from '../../models';
import { toTensors } from '../../models';
import { zeroShotPrompts } from '../../data';
import { ClipEvalError } from './errors';
import type { ClipModel } from './model';

/** What the tokenizer gives (src/data/text): ids padded to one length, row-major. */
export interface ClipTokenizer {
  encode(
    texts: string[],
    contextLength?: number,
  ): { ids: Int32Array; attentionMask: Int32Array; batch: number; length: number };
}

export interface HeadRequest {
  task: string;
  classNames: readonly string[];
  /** Templates with `{}` where the class name goes. */
  templates: readonly string[];
}

export interface ZeroShotHead {
  task: string;
  classNames: string[];
  /** [classes, projection_dim], rows unit length. */
  weight: Float32Array;
  dim: number;
}

/** Prompts per text-tower call: bounds memory for tasks with hundreds of classes (SUN397). */
const PROMPTS_PER_BATCH = 64;

function checkRequest(r: HeadRequest): void {
  if (r.classNames.length < 2)
    throw new ClipEvalError(`task "${r.task}": needs at least two class names`);
  if (r.templates.length === 0) throw new ClipEvalError(`task "${r.task}": no prompt template`);
  const seen = new Set<string>();
  for (const c of r.classNames) {
    if (seen.has(c)) throw new ClipEvalError(`task "${r.task}": class "${c}" is listed twice`);
    seen.add(c);
  }
}

/** Unit-length text embeddings of `texts`, [texts, proj], computed in batches. */
async function unitTextEmbeddings(
  params: Map<string, tf.Tensor>,
  model: ClipModel,
  tokenizer: ClipTokenizer,
  texts: string[],
): Promise<{ data: Float32Array; dim: number }> {
  const contextLength = model.config.text!.maxPositions;
  const dim = model.projection.shape[0]!;
  const out = new Float32Array(texts.length * dim);
  for (let start = 0; start < texts.length; start += PROMPTS_PER_BATCH) {
    const chunk = texts.slice(start, start + PROMPTS_PER_BATCH);
    const { ids, attentionMask, batch, length } = tokenizer.encode(chunk, contextLength);
    const unit = tf.tidy(() => {
      const e = clipTextEmbeds(params, ids, batch, length, model.config, attentionMask);
      return tf.div(e, tf.norm(e, 2, 1, true));
    });
    out.set(await unit.data(), start * dim);
    unit.dispose();
  }
  return { data: out, dim };
}

function meanOfUnitRows(rows: Float32Array, first: number, count: number, dim: number) {
  const mean = new Float64Array(dim);
  for (let r = first; r < first + count; r++)
    for (let j = 0; j < dim; j++) mean[j]! += rows[r * dim + j]!;
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += mean[j]! * mean[j]!;
  const inv = 1 / Math.sqrt(norm || 1);
  return Float32Array.from(mean, (v) => v * inv);
}

/** One head per request; the text tower is uploaded once for all of them. */
export async function buildZeroShotHeads(
  model: ClipModel,
  tokenizer: ClipTokenizer,
  requests: readonly HeadRequest[],
  onTask?: (task: string, done: number, total: number) => void,
): Promise<ZeroShotHead[]> {
  if (!model.text || !model.config.text)
    throw new ClipEvalError(`${model.from.vision}: no text tower to build zero-shot heads`);
  requests.forEach(checkRequest);
  const params = toTensors(model.text);
  try {
    const heads: ZeroShotHead[] = [];
    for (const [i, r] of requests.entries()) {
      const prompts = zeroShotPrompts(r.classNames, r.templates);
      const { data, dim } = await unitTextEmbeddings(params, model, tokenizer, prompts);
      const weight = new Float32Array(r.classNames.length * dim);
      const k = r.templates.length;
      r.classNames.forEach((_, c) => weight.set(meanOfUnitRows(data, c * k, k, dim), c * dim));
      heads.push({ task: r.task, classNames: [...r.classNames], weight, dim });
      onTask?.(r.task, i + 1, requests.length);
    }
    return heads;
  } finally {
    for (const t of params.values()) t.dispose();
  }
}
