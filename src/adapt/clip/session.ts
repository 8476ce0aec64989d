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
import { LambdaSession, type TfjsInputs } from '../adamerging/lambda-session';
import type {
  AdaMergingCallbacks,
  AdaMergingOptions,
  AdaMergingResult,
  EvalEvent,
} from '../adamerging/types';
import { clipFusedEngineFor } from './fused';
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

interface ClipInputs extends TfjsInputs {
  images: tf.Tensor4D;
}

export class ClipAdaMergingSession extends LambdaSession<ClipInputs> {
  private readonly host: ClipHostProblem;
  private device: ClipDeviceProblem | null = null;
  private readonly sampler: PoolSampler;
  private readonly side: number;

  /**
   * `gpu`: a WebGPU device for the fused engine while tfjs runs elsewhere (wasm, cpu); without
   * it the fused engine runs on tfjs-webgpu's device, and tfjs autodiff everywhere else.
   */
  constructor(
    host: ClipHostProblem,
    pools: readonly ImagePool[],
    options: AdaMergingOptions,
    gpu: GPUDevice | null = null,
  ) {
    const resolved = resolveOptions(options);
    if (resolved.objective !== 'entropy')
      throw new RangeError('CLIP AdaMerging minimises the entropy only');
    if (pools.length !== host.tasks.length) throw new RangeError('one image pool per task');
    const columns = resolved.mode === 'task' ? 1 : host.tensorNames.length;
    super(resolved, host.tasks.length, columns, 'clip_adamerging_lambda');
    this.host = host;
    this.side = pools[0]!.side;
    this.sampler = new PoolSampler(pools, this.options.seed, host.tasks);
    this.fused = clipFusedEngineFor(host, this.options, this.perTask, columns, gpu);
    // tfjs autodiff reads these inside tf.variableGrads, whose scope would dispose an upload
    // made there: upload now.
    if (!this.fused) this.device = uploadClipProblem(host);
  }

  /**
   * θ₀, the τ stacks and the heads as tfjs tensors; with the fused engine (which holds its own
   * copy) uploaded only on first use, outside any tf.tidy.
   */
  get problem(): ClipDeviceProblem {
    this.device ??= uploadClipProblem(this.host);
    return this.device;
  }

  nextBatch(): Float32Array {
    return this.sampler.batch(this.perTask);
  }

  /** The next unlabelled batch of every task, [T · perTask, side, side, 3]. */
  nextImages(): tf.Tensor4D {
    const rows = this.host.tasks.length * this.perTask;
    return tf.tensor4d(this.nextBatch(), [rows, this.side, this.side, 3]);
  }

  protected nextInputs(): ClipInputs {
    const images = this.nextImages();
    return { images, tensors: [images] };
  }

  protected lossPerTaskAt(lambda: tf.Tensor2D, inputs: ClipInputs): tf.Tensor1D {
    const params = mergedClipParams(this.problem, lambda, this.options.clamp);
    return entropyPerTask(this.problem, params, inputs.images, this.perTask);
  }

  /**
   * The merged tower θ₀ + Σ clamp(λ)·τ at the current λ (`vision_model.*` only; the caller
   * disposes it). With the fused engine, λ is read back from it first.
   */
  async mergedTower(): Promise<Map<string, tf.Tensor>> {
    await this.freshLambda();
    // With the fused engine, the first use uploads θ₀ and the stacks: not inside the tidy.
    const problem = this.problem;
    const out = new Map<string, tf.Tensor>();
    tf.tidy(() => {
      const merged = mergedClipParams(problem, this.lambda, this.options.clamp);
      for (const name of this.host.tensorNames) out.set(name, tf.keep(merged.get(name)!));
    });
    return out;
  }

  override dispose(): void {
    super.dispose();
    this.device?.dispose();
  }
}

/**
 * `evaluateTower` scores a merged tower on the tasks' labelled test sets (the caller's own
 * scorer: the studio's ScoringSuite); with `onEval` and `evalEvery`, the run calls it every
 * `evalEvery` steps and after the last one.
 */
export interface ClipAdaMergingCallbacks extends AdaMergingCallbacks {
  evaluateTower?: (tower: Map<string, tf.Tensor>) => Promise<Omit<EvalEvent, 'step'>>;
}

async function evaluateAt(
  session: ClipAdaMergingSession,
  step: number,
  { evaluateTower, onEval }: ClipAdaMergingCallbacks,
): Promise<void> {
  const { evalEvery, steps } = session.options;
  if (!evaluateTower || !onEval || evalEvery <= 0) return;
  if (step % evalEvery !== 0 && step !== steps) return;
  const tower = await session.mergedTower();
  try {
    onEval({ step, ...(await evaluateTower(tower)) });
  } finally {
    for (const t of tower.values()) t.dispose();
  }
}

/** Runs every step (pause/cancel between steps) and returns the learned λ. */
export async function runClipAdaMerging(
  host: ClipHostProblem,
  pools: readonly ImagePool[],
  options: AdaMergingOptions,
  callbacks: ClipAdaMergingCallbacks = {},
  gpu: GPUDevice | null = null,
): Promise<AdaMergingResult> {
  const started = performance.now();
  const session = new ClipAdaMergingSession(host, pools, options, gpu);
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
      await evaluateAt(session, s + 1, callbacks);
    }
    return {
      mode: session.options.mode,
      plus: session.options.plus,
      tasks: host.tasks,
      tensorNames: host.tensorNames,
      lambdas: await session.lambdas(),
      rawLambdas: await session.lambdas(true),
      stepsRun: session.stepsRun,
      firstEntropy: first,
      lastEntropy: last,
      seconds: (performance.now() - started) / 1000,
      backend: tf.getBackend(),
      engine: session.fused ? 'fused-webgpu' : 'tfjs',
      options: session.options,
    };
  } finally {
    session.dispose();
  }
}
