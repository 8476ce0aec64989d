/**
 * The two training loops, in tfjs on the project's own CLIP forward (src/models/clip):
 * - contrastive pretraining of the whole CLIPModel: symmetric InfoNCE over a batch of
 *   image–caption pairs with CLIP's learnable logit scale (clamped at log 100, as CLIP does).
 *   Each batch comes from two domains (half each), so most negatives are other classes of the
 *   same domain — the in-domain distinctions the tasks need; across a uniform mixture nearly all
 *   negatives are other domains and class words are learnt far more slowly (a probe at 300
 *   steps: class-name heads of one domain at cosine ≈ 0.95–1.0). Pairs of the same concept
 *   (same task and class, or both domain-only captions of a task) are positives of each other:
 *   the templated captions repeat, and "a photo of a stop." vs "a small stop." is not a
 *   difference an image can show;
 * - fine-tuning of the image tower only under frozen zero-shot heads (FusionBench's CLIP
 *   recipe: cross-entropy of exp(logit_scale)·cos(image, class text), Adam), visual_projection
 *   and the text side frozen.
 * Batches are drawn from a seeded stream per step, so a run is a function of its seed.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/data/prng';
import {
  clipImageEmbeds,
  clipLogits,
  clipTextEmbeds,
  type ClipConfig,
} from '../../src/models/clip';
import type { NamedArray } from '../../src/models/tensors';

const MAX_LOG_SCALE = Math.log(100);
/** CLIP's Adam (Radford et al. 2021, appendix F): β2 0.98 and ε 1e-6 instead of 0.999 / 1e-8,
 * which keep a rarely-moving parameter's step from exploding when its gradient wakes up. */
const CLIP_ADAM = { beta1: 0.9, beta2: 0.98, epsilon: 1e-6 };
/** Global gradient-norm clip (OpenCLIP's --grad-clip-norm): one bad batch cannot throw the
 * towers into the collapsed state (every embedding alike, loss ≈ ln batch). */
const GRAD_CLIP_NORM = 1;

/**
 * Learning rate at step `step` (0-based) of `steps`: linear warm-up over `warmup` steps to
 * `peak`, then cosine decay to 0 (CLIP's schedule). A constant 1e-3 diverged at step ≈ 550 of
 * the first full build (loss 3.48 → 4.82 ≈ ln 128, never recovered).
 */
export function warmupCosineLr(step: number, steps: number, peak: number, warmup: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const t = (step - warmup) / Math.max(1, steps - warmup);
  return 0.5 * peak * (1 + Math.cos(Math.PI * Math.min(1, t)));
}

/** Rescales `grads` in place so their global L2 norm is at most `maxNorm`; returns the norm. */
export function clipGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): number {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))));
  const value = norm.dataSync()[0]!;
  norm.dispose();
  if (value > maxNorm) {
    const k = maxNorm / value;
    for (const n of names) {
      const old = grads[n]!;
      grads[n] = tf.mul(old, k);
      old.dispose();
    }
  }
  return value;
}

/** tfjs keeps Adam's rate protected but reads it at every step; the schedule sets it. */
function setLearningRate(optimizer: tf.AdamOptimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/** uint8 RGB images of one size, row-major one after another, and a way to normalise them. */
export interface ImageStore {
  count: number;
  size: number;
  pixels: Uint8Array;
  /** HWC uint8 → normalised floats (CLIPImageProcessor's rescale + mean/std). */
  normalise(image: Uint8Array): Float32Array;
}

function pixelBatch(store: ImageStore, rows: readonly number[]): tf.Tensor4D {
  const per = store.size * store.size * 3;
  const out = new Float32Array(rows.length * per);
  rows.forEach((r, i) =>
    out.set(store.normalise(store.pixels.subarray(r * per, (r + 1) * per)), i * per),
  );
  return tf.tensor4d(out, [rows.length, store.size, store.size, 3]);
}

function drawRows(rng: Rng, count: number, batch: number): number[] {
  return Array.from({ length: batch }, () => rng.int(count));
}

function toVariables(params: Map<string, NamedArray>, trainable: (name: string) => boolean) {
  const vars = new Map<string, tf.Tensor>();
  const trained: tf.Variable[] = [];
  for (const [name, { shape, data }] of params) {
    if (trainable(name)) {
      const v = tf.variable(tf.tensor(data, shape, 'float32'), true, name);
      vars.set(name, v);
      trained.push(v);
    } else {
      vars.set(name, tf.tensor(data, shape, 'float32'));
    }
  }
  return { vars, trained };
}

async function readBack(vars: Map<string, tf.Tensor>, params: Map<string, NamedArray>) {
  const out = new Map<string, NamedArray>();
  for (const [name, { shape }] of params) {
    out.set(name, { shape, data: (await vars.get(name)!.data()) as Float32Array });
  }
  for (const t of vars.values()) t.dispose();
  return out;
}

export interface StepReport {
  step: number;
  loss: number;
  ms: number;
  /** Pretraining only: the step's learning rate, gradient norm before clipping, logit scale. */
  lr?: number;
  gradNorm?: number;
  logitScale?: number;
}

export interface PretrainData {
  images: ImageStore;
  /** count × context token ids (padded with eos), and their attention mask. */
  ids: Int32Array;
  mask: Int32Array;
  context: number;
  /** Concept per pair (task and class, or task and "domain only"): equal keys = positives. */
  captionKeys: Int32Array;
  /** Pair indices of each domain, for the two-domain batches. */
  groups: readonly Int32Array[];
}

export interface LoopOptions {
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  /** Linear warm-up steps before the cosine decay (pretraining; fine-tunes when `cosine`). */
  warmup?: number;
  /** Fine-tunes only: warm-up + cosine schedule (as the task-arithmetic fine-tunes) instead of a constant lr. */
  cosine?: boolean;
  /** Pretraining only: the logit scale's learning rate as a multiple of `lr` (default 1). */
  scaleLrMult?: number;
  /** Pretraining only: domains per batch, 2 (default, half from each) or 1. */
  domainsPerBatch?: 1 | 2;
  onStep?: (r: StepReport) => void;
}

/** Half the batch from each of two distinct domains (or all from one), from the step's stream. */
export function domainRows(
  rng: Rng,
  groups: readonly Int32Array[],
  batch: number,
  two = true,
): number[] {
  const a = rng.int(groups.length);
  const b = two ? (a + 1 + rng.int(groups.length - 1)) % groups.length : a;
  return Array.from({ length: batch }, (_, i) => {
    const g = groups[i < batch / 2 ? a : b]!;
    return g[rng.int(g.length)]!;
  });
}

/** Row-normalised targets: 1 where pairs i and j show the same concept. */
function duplicateTargets(keys: Int32Array, rows: readonly number[]): tf.Tensor2D {
  const n = rows.length;
  const t = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    let same = 0;
    for (let j = 0; j < n; j++) if (keys[rows[i]!] === keys[rows[j]!]) same++;
    for (let j = 0; j < n; j++) if (keys[rows[i]!] === keys[rows[j]!]) t[i * n + j] = 1 / same;
  }
  return tf.tensor2d(t, [n, n]);
}

function gatherTokens(data: PretrainData, rows: readonly number[]) {
  const c = data.context;
  const ids = new Int32Array(rows.length * c);
  const mask = new Int32Array(rows.length * c);
  rows.forEach((r, i) => {
    ids.set(data.ids.subarray(r * c, (r + 1) * c), i * c);
    mask.set(data.mask.subarray(r * c, (r + 1) * c), i * c);
  });
  return { ids, mask };
}

/** Contrastive pretraining of every parameter; returns the trained parameters. */
export async function pretrainClip(
  params: Map<string, NamedArray>,
  cfg: ClipConfig,
  data: PretrainData,
  options: LoopOptions,
): Promise<Map<string, NamedArray>> {
  const { vars, trained } = toVariables(params, () => true);
  const optimizer = tf.train.adam(options.lr, CLIP_ADAM.beta1, CLIP_ADAM.beta2, CLIP_ADAM.epsilon);
  const scale = vars.get('logit_scale') as tf.Variable;
  // A second Adam for the scale alone when its lr differs (Adam's step size is its lr, so a
  // gradient multiplier would not do).
  const mult = options.scaleLrMult ?? 1;
  const scaleOptimizer =
    mult === 1
      ? undefined
      : tf.train.adam(options.lr, CLIP_ADAM.beta1, CLIP_ADAM.beta2, CLIP_ADAM.epsilon);
  for (let step = 0; step < options.steps; step++) {
    const t0 = performance.now();
    const lr = warmupCosineLr(step, options.steps, options.lr, options.warmup ?? 0);
    setLearningRate(optimizer, lr);
    if (scaleOptimizer) setLearningRate(scaleOptimizer, lr * mult);
    const rng = new Rng(options.seed, `pretrain:batch:${step}`);
    const rows =
      data.groups.length > 1
        ? domainRows(rng, data.groups, options.batch, options.domainsPerBatch !== 1)
        : drawRows(rng, data.images.count, options.batch);
    const pixels = pixelBatch(data.images, rows);
    const { ids, mask } = gatherTokens(data, rows);
    const targets = duplicateTargets(data.captionKeys, rows);
    const { value: cost, grads } = tf.variableGrads(() => {
      const img = clipImageEmbeds(vars, pixels, cfg);
      const txt = clipTextEmbeds(vars, ids, rows.length, data.context, cfg, mask);
      const logits = clipLogits(img, txt, scale);
      const a = tf.losses.softmaxCrossEntropy(targets, logits);
      const b = tf.losses.softmaxCrossEntropy(targets, tf.transpose(logits));
      return tf.div(tf.add(a, b), 2) as tf.Scalar;
    }, trained);
    const gradNorm = clipGlobalNorm(grads, GRAD_CLIP_NORM);
    const named = Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    const ownScale = (name: string) => scaleOptimizer !== undefined && name === 'logit_scale';
    optimizer.applyGradients(named.filter((g) => !ownScale(g.name)));
    scaleOptimizer?.applyGradients(named.filter((g) => ownScale(g.name)));
    const loss = (await cost.data())[0]!;
    tf.dispose([cost, pixels, targets, ...Object.values(grads)]);
    tf.tidy(() => scale.assign(tf.clipByValue(scale, 0, MAX_LOG_SCALE)));
    const logitScale = scale.dataSync()[0]!;
    options.onStep?.({
      step: step + 1,
      loss,
      ms: performance.now() - t0,
      lr,
      gradNorm,
      logitScale,
    });
  }
  optimizer.dispose();
  scaleOptimizer?.dispose();
  return readBack(vars, params);
}

export interface FinetuneData {
  images: ImageStore;
  labels: Int32Array;
  /** Frozen zero-shot head [classes, proj], rows unit length. */
  head: Float32Array;
  classes: number;
}

/**
 * Fine-tunes `vision_model.*` of `base` (a CLIPModel's parameters) on one task; returns the
 * tuned vision tower only (what a CLIPVisionModel folder holds).
 */
export async function finetuneVision(
  base: Map<string, NamedArray>,
  cfg: ClipConfig,
  data: FinetuneData,
  options: LoopOptions & { task: string },
): Promise<Map<string, NamedArray>> {
  const vision = new Map(
    [...base].filter(([n]) => n.startsWith('vision_model.') || n === 'visual_projection.weight'),
  );
  const { vars, trained } = toVariables(vision, (n) => n.startsWith('vision_model.'));
  const dim = data.head.length / data.classes;
  const head = tf.tensor2d(data.head, [data.classes, dim]);
  const logitScale = Math.exp(base.get('logit_scale')!.data[0]!);
  const optimizer = tf.train.adam(options.lr);
  for (let step = 0; step < options.steps; step++) {
    const t0 = performance.now();
    if (options.cosine)
      setLearningRate(
        optimizer,
        warmupCosineLr(step, options.steps, options.lr, options.warmup ?? 0),
      );
    const rows = drawRows(
      new Rng(options.seed, `finetune:${options.task}:batch:${step}`),
      data.images.count,
      options.batch,
    );
    const pixels = pixelBatch(data.images, rows);
    const labels = tf.tidy(() =>
      tf.cast(
        tf.oneHot(
          tf.tensor1d(
            rows.map((r) => data.labels[r]!),
            'int32',
          ),
          data.classes,
        ),
        'float32',
      ),
    );
    const cost = optimizer.minimize(
      () => {
        const img = clipImageEmbeds(vars, pixels, cfg);
        const unit = tf.div(img, tf.norm(img, 2, 1, true));
        const logits = tf.mul(tf.matMul(unit, head, false, true), logitScale);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      },
      true,
      trained,
    )!;
    const loss = (await cost.data())[0]!;
    tf.dispose([cost, pixels, labels]);
    options.onStep?.({ step: step + 1, loss, ms: performance.now() - t0 });
  }
  optimizer.dispose();
  head.dispose();
  const tuned = await readBack(vars, vision);
  tuned.delete('visual_projection.weight');
  return tuned;
}
