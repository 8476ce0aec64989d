/**
 * `npm run simo:build -- --out <dir> [--seed 0] [--resume] [--scale smoke|demo|full]
 * [--finetune-lr x]`: the SIMO demo
 * pool, deterministic from the seed:
 * 1. base: the encoder pretrained by masked reconstruction of the scenes' RGB (a fraction of the
 *    patches hidden; no task labels), its reconstruction decoder dropped;
 * 2. one fine-tune per task from the base (encoder + a fresh decoder) on that task's loss;
 * 3. the joint multi-task baseline from the base (encoder + every decoder, mean task loss);
 * each a safetensors file, then manifest.json (src/models/dense/manifest.ts) with the steps and
 * seconds per stage. `--resume` keeps stages whose files exist (written atomically).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { batchRows, fit } from '../../src/adapt';
import type { Params } from '../../src/core';
import { denseSubset, renderDenseSet, Rng, type DenseSet } from '../../src/data';
import { paramsFromBytes } from '../../src/merge';
import {
  denseDecode,
  denseEncode,
  denseInputs,
  denseLoss,
  denseTarget,
  initDecoder,
  initDenseEncoder,
  meanTaskLoss,
  SIMO_POOL_FORMAT,
  withPrefix,
  ENCODER_PREFIX,
  type DenseTask,
  type SimoManifest,
} from '../../src/models';
import { initTf } from '../../src/tf/backend';
import { jsonText, writeAtomic, writeSafetensors } from '../clip-zoo/write';
import { SIMO_SCALES, type SimoBuildConfig, type SimoScale } from './config';

const RECON: DenseTask = { name: 'recon', kind: 'normals' }; // 3 channels; its own L1 loss

interface Stage {
  file: string;
  seconds: number;
  steps: number;
  finalLoss: number;
}

/** Per-patch keep mask [n, S, S, 1] (0 on hidden patches), seeded per step. */
function patchMask(n: number, build: SimoBuildConfig, seed: number, step: number): tf.Tensor4D {
  const { imageSize: s, patchSize: p } = build.model.encoder;
  const side = s / p;
  const mask = new Float32Array(n * s * s);
  const rng = new Rng(seed, `simo/mask/${step}`);
  for (let k = 0; k < n; k++)
    for (let g = 0; g < side * side; g++) {
      if (rng.uniform() < build.maskFraction) continue;
      const gy = Math.floor(g / side);
      const gx = g % side;
      for (let y = 0; y < p; y++)
        for (let x = 0; x < p; x++) mask[(k * s + gy * p + y) * s + gx * p + x] = 1;
    }
  return tf.tensor4d(mask, [n, s, s, 1]);
}

async function stage(
  out: string,
  name: string,
  resume: boolean,
  run: () => Promise<{ params: Params; steps: number; finalLoss: number }>,
): Promise<{ params: Params; stage: Stage | null }> {
  const file = `${name}.safetensors`;
  const path = join(out, file);
  if (resume && existsSync(path)) {
    console.log(`${name}: kept (resume)`);
    return { params: await paramsFromBytes(new Uint8Array(readFileSync(path)), file), stage: null };
  }
  const t0 = performance.now();
  const { params, steps, finalLoss } = await run();
  await writeSafetensors(path, params);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `${name}: ${steps} steps, final loss ${finalLoss.toFixed(4)}, ${seconds.toFixed(1)} s`,
  );
  return { params, stage: { file, seconds, steps, finalLoss } };
}

/** A loss line every 50 steps. */
const logLoss =
  (name: string) =>
  (step: number, loss: number): void => {
    if ((step + 1) % 50 === 0) console.log(`  ${name} step ${step + 1}: loss ${loss.toFixed(4)}`);
  };

const tail = (losses: number[]): number =>
  losses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, losses.length);

async function pretrain(build: SimoBuildConfig, set: DenseSet, seed: number) {
  const initial = initDenseEncoder(build.model, seed);
  for (const [k, v] of initDecoder(build.model, RECON, seed + 100)) initial.set(k, v);
  const { trained, losses } = await fit({
    initial,
    trainable: () => true,
    steps: build.pretrainSteps,
    peakLr: build.peakLr,
    task: 'pretrain',
    onLoss: logLoss('pretrain'),
    loss: (vars, step) => {
      const sub = denseSubset(set, batchRows(set.count, build.batch, seed, step));
      const x = denseInputs(sub);
      const tokens = denseEncode(
        vars,
        tf.mul(x, patchMask(sub.count, build, seed, step)),
        build.model,
      );
      const y = denseDecode(vars, tokens, build.model, RECON);
      return tf.mean(tf.abs(tf.sub(y, x))) as tf.Scalar;
    },
  });
  return {
    params: withPrefix(trained, ENCODER_PREFIX),
    steps: build.pretrainSteps,
    finalLoss: tail(losses),
  };
}

/** Encoder + the decoders of `tasks` from `base`, trained on the mean of their losses. */
async function fineTune(
  build: SimoBuildConfig,
  base: Params,
  set: DenseSet,
  tasks: readonly DenseTask[],
  seed: number,
  steps: number,
  name: string,
) {
  const initial: Params = new Map(base);
  for (const t of tasks) {
    const k = build.model.tasks.indexOf(t);
    for (const [n, v] of initDecoder(build.model, t, seed + 200 + k)) initial.set(n, v);
  }
  const { trained, losses } = await fit({
    initial,
    trainable: () => true,
    steps,
    peakLr: build.finetuneLr ?? build.peakLr,
    task: name,
    onLoss: logLoss(name),
    loss: (vars, step) => {
      const sub = denseSubset(set, batchRows(set.count, build.batch, seed + 1, step));
      const tokens = denseEncode(vars, denseInputs(sub), build.model);
      const targets = tasks.map((t) => denseTarget(sub, t));
      if (tasks.length === 1)
        return denseLoss(tasks[0]!, denseDecode(vars, tokens, build.model, tasks[0]!), targets[0]!);
      return meanTaskLoss(vars, tokens, build.model, tasks, targets);
    },
  });
  return { params: trained, steps, finalLoss: tail(losses) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      seed: { type: 'string', default: '0' },
      resume: { type: 'boolean', default: false },
      scale: { type: 'string', default: 'smoke' },
      'finetune-lr': { type: 'string' },
    },
  });
  if (!values.out) throw new Error('simo:build needs --out <dir>');
  const scale = values.scale as SimoScale;
  const scaled = SIMO_SCALES[scale];
  if (!scaled) throw new Error(`--scale must be smoke, demo or full, got "${values.scale}"`);
  const finetuneLr =
    values['finetune-lr'] === undefined ? undefined : Number(values['finetune-lr']);
  if (finetuneLr !== undefined && !(finetuneLr > 0))
    throw new Error(`--finetune-lr must be a positive number, got "${values['finetune-lr']}"`);
  const build: SimoBuildConfig = finetuneLr ? { ...scaled, finetuneLr } : scaled;
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const out = values.out;
  const device = await initTf('wasm');
  const t0 = performance.now();
  const size = build.model.encoder.imageSize;
  const pretrainSet = renderDenseSet(seed, 'pretrain', build.train, size);
  const train = renderDenseSet(seed, 'train', build.train, size);
  console.log(
    `simo:build ${scale}, seed ${seed}, ${device}: scenes rendered in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const resume = values.resume;
  const stages: Record<string, Stage | null> = {};
  const base = await stage(out, 'base', resume, () => pretrain(build, pretrainSet, seed));
  stages.base = base.stage;
  const singles: Record<string, string> = {};
  for (const task of build.model.tasks) {
    const s = await stage(out, task.name, resume, () =>
      fineTune(
        build,
        base.params,
        train,
        [task],
        seed,
        build.singleSteps,
        `fine-tune ${task.name}`,
      ),
    );
    stages[task.name] = s.stage;
    singles[task.name] = `${task.name}.safetensors`;
  }
  const joint = await stage(out, 'joint', resume, () =>
    fineTune(build, base.params, train, build.model.tasks, seed, build.jointSteps, 'joint'),
  );
  stages.joint = joint.stage;
  const manifestPath = join(out, 'manifest.json');
  const previous = existsSync(manifestPath)
    ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as SimoManifest).build
    : {};
  const previousStages = (previous.stages ?? {}) as Record<string, Stage>;
  const manifest: SimoManifest = {
    format: SIMO_POOL_FORMAT,
    version: 1,
    config: build.model,
    data: { seed, size, train: build.train, test: build.test },
    base: 'base.safetensors',
    singles,
    joint: 'joint.safetensors',
    build: {
      scale,
      seed,
      device,
      batch: build.batch,
      peakLr: build.peakLr,
      finetuneLr: build.finetuneLr ?? build.peakLr,
      // A resumed stage keeps the record of the run that built it.
      stages: Object.fromEntries(
        Object.entries(stages).map(([k, v]) => [k, v ?? previousStages[k] ?? { resumed: true }]),
      ),
      totalSeconds: (performance.now() - t0) / 1000,
    },
  };
  await writeAtomic(manifestPath, jsonText(manifest));
  console.log(`simo:build: ${manifestPath} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
