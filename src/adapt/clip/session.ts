/**
 * One AdaMerging run on CLIP vision towers with tfjs autodiff: the λ variable [T, L], Adam, a
 * seeded sampler over each task's unlabelled image pool, and the entropy of each task's
 * zero-shot predictions (sum over tasks of the batch-mean entropy). Options, events and the
 * result are the demo zoo's AdaMerging types, so the CLI and the studio show both alike.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../data';
import { unitImageEmbeds, zeroShotLogits } from '../../eval';
import { resolveOptions } from '../adamerging/session';
import type {
  AdaMergingCallbacks,
  AdaMergingOptions,
  AdaMergingResult,
  ResolvedOptions,
  StepEvent,
} from '../adamerging/types';
import {
  mergedClipParams,
  uploadClipProblem,
  type ClipDeviceProblem,
  type ClipHostProblem,
} from './problem';

/** A task's unlabelled pool: `count` preprocessed images, NHWC, `side`² × 3 floats each. */
export interface ImagePool {
  pixels: Float32Array;
  count: number;
  side: number;
}

/** Each task walks its own seeded shuffle of its pool, reshuffled every epoch. */
class PoolSampler {
  private readonly rngs: Rng[];
  private readonly orders: number[][];
  private readonly cursors: number[];

  constructor(
    private readonly pools: readonly ImagePool[],
    seed: number,
    tasks: readonly string[],
  ) {
    this.rngs = tasks.map((t) => new Rng(seed, `adamerging:${t}`));
    this.orders = pools.map((p, k) => this.rngs[k]!.shuffle([...Array(p.count).keys()]));
    this.cursors = pools.map(() => 0);
  }

  private nextIndex(k: number): number {
    if (this.cursors[k]! >= this.orders[k]!.length) {
      this.rngs[k]!.shuffle(this.orders[k]!);
      this.cursors[k] = 0;
    }
    return this.orders[k]![this.cursors[k]!++]!;
  }

  /** `perTask` images of every task, task after task (task k owns rows k·perTask …). */
  batch(perTask: number): Float32Array {
    const per = this.pools[0]!.side * this.pools[0]!.side * 3;
    const out = new Float32Array(this.pools.length * perTask * per);
    let row = 0;
    this.pools.forEach((pool, k) => {
      for (let i = 0; i < perTask; i++) {
        const index = this.nextIndex(k);
        out.set(pool.pixels.subarray(index * per, (index + 1) * per), row++ * per);
      }
    });
    return out;
  }
}

/** Batch-mean entropy of each task's zero-shot predictions on its rows: a [T] tensor. */
export function entropyPerTask(
  problem: ClipDeviceProblem,
  params: Map<string, tf.Tensor>,
  images: tf.Tensor4D,
  perTask: number,
): tf.Tensor1D {
  const embeds = unitImageEmbeds(params, images, problem.config);
  const dim = embeds.shape[1];
  let all: tf.Tensor1D | undefined;
  problem.heads.forEach((head, k) => {
    const rows = tf.slice(embeds, [k * perTask, 0], [perTask, dim]);
    const logp = tf.logSoftmax(zeroShotLogits(rows, head, problem.logitScale));
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
    const mean = tf.reshape(tf.mean(entropy), [1]) as tf.Tensor1D;
    // Pairwise concat: never an op with more than 7 inputs on WebGPU.
    all = all ? tf.concat([all, mean]) : mean;
  });
  return all!;
}

const toRows = (data: Float32Array, rows: number, cols: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));

export class ClipAdaMergingSession {
  readonly options: ResolvedOptions;
  readonly problem: ClipDeviceProblem;
  readonly lambda: tf.Variable<tf.Rank.R2>;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly sampler: PoolSampler;
  private readonly side: number;
  stepsRun = 0;

  constructor(host: ClipHostProblem, pools: readonly ImagePool[], options: AdaMergingOptions) {
    // The fused WGSL step knows the demo zoo's ViT only: CLIP learns through tfjs autodiff.
    this.options = resolveOptions({ ...options, engine: 'tfjs' });
    if (this.options.objective !== 'entropy')
      throw new RangeError('CLIP AdaMerging minimises the entropy only');
    if (pools.length !== host.tasks.length) throw new RangeError('one image pool per task');
    this.side = pools[0]!.side;
    this.problem = uploadClipProblem(host);
    const columns = this.options.mode === 'task' ? 1 : host.tensorNames.length;
    this.lambda = tf.variable(
      tf.fill([host.tasks.length, columns], this.options.init) as tf.Tensor2D,
      true,
      `clip_adamerging_lambda_${Date.now()}`,
    );
    this.optimizer = tf.train.adam(this.options.lr, 0.9, 0.999);
    this.sampler = new PoolSampler(pools, this.options.seed, host.tasks);
  }

  /** One Adam step on a fresh batch (batchSize × batchesPerTask images per task, as the zoo's). */
  async step(): Promise<StepEvent> {
    const t0 = performance.now();
    const perTask = this.options.batchSize * this.options.batchesPerTask;
    const images = this.nextImages();
    const t1 = performance.now();
    let perTaskLoss: tf.Tensor1D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const losses = entropyPerTask(
        this.problem,
        mergedClipParams(this.problem, this.lambda, this.options.clamp),
        images,
        perTask,
      );
      perTaskLoss = tf.keep(losses);
      return tf.sum(losses) as tf.Scalar;
    }, [this.lambda]);
    const t2 = performance.now();
    this.optimizer.applyGradients([{ name: this.lambda.name, tensor: grads[this.lambda.name]! }]);
    const t3 = performance.now();
    const [losses, lambdas] = await Promise.all([perTaskLoss!.data(), this.currentLambdas()]);
    const t4 = performance.now();
    tf.dispose([value, images, perTaskLoss!, ...Object.values(grads)]);
    this.stepsRun++;
    const lossPerTask = Array.from(losses);
    return {
      step: this.stepsRun,
      lossPerTask,
      entropyTotal: lossPerTask.reduce((a, b) => a + b, 0),
      lambdas,
      ms: t4 - t0,
      timing: { batch: t1 - t0, gradient: t2 - t1, update: t3 - t2, readback: t4 - t3 },
    };
  }

  /** The next unlabelled batch of every task, [T · perTask, side, side, 3]. */
  nextImages(): tf.Tensor4D {
    const perTask = this.options.batchSize * this.options.batchesPerTask;
    const rows = this.problem.tasks.length * perTask;
    return tf.tensor4d(this.sampler.batch(perTask), [rows, this.side, this.side, 3]);
  }

  /** λ as the forward pass uses it (clamped when `clamp` is on), T × L. */
  async currentLambdas(raw = false): Promise<number[][]> {
    const used = raw || !this.options.clamp ? this.lambda : tf.clipByValue(this.lambda, 0, 1);
    const data = (await used.data()) as Float32Array;
    if (used !== this.lambda) used.dispose();
    return toRows(data, this.lambda.shape[0], this.lambda.shape[1]);
  }

  dispose(): void {
    this.problem.dispose();
    this.lambda.dispose();
    this.optimizer.dispose();
  }
}

/** Runs every step (pause/cancel between steps) and returns the learned λ. */
export async function runClipAdaMerging(
  host: ClipHostProblem,
  pools: readonly ImagePool[],
  options: AdaMergingOptions,
  callbacks: AdaMergingCallbacks = {},
): Promise<AdaMergingResult> {
  const started = performance.now();
  const session = new ClipAdaMergingSession(host, pools, options);
  try {
    let first = NaN;
    let last = NaN;
    for (let s = 0; s < session.options.steps; s++) {
      callbacks.signal?.throwIfAborted();
      await callbacks.pauseToken?.wait(callbacks.signal);
      const event = await session.step();
      if (s === 0) first = event.entropyTotal;
      last = event.entropyTotal;
      callbacks.onStep?.(event);
    }
    return {
      mode: session.options.mode,
      plus: session.options.plus,
      tasks: host.tasks,
      tensorNames: host.tensorNames,
      lambdas: await session.currentLambdas(),
      rawLambdas: await session.currentLambdas(true),
      stepsRun: session.stepsRun,
      firstEntropy: first,
      lastEntropy: last,
      seconds: (performance.now() - started) / 1000,
      backend: tf.getBackend(),
      engine: 'tfjs',
      options: session.options,
    };
  } finally {
    session.dispose();
  }
}
