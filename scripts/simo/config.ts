/**
 * The SIMO pool's scales. smoke: minutes on 2 cores, for the specs and the CLI; demo: the smoke
 * model trained on 5× the scenes for 5–15× the steps (fine-tunes that are not undertrained, so a
 * fix's gain is re-alignment rather than extra decoder training), about half an hour of one core;
 * full: a 4× wider model (estimated ≈ 6 h on 2 quiet cores in docs/simo.md, not yet run).
 */
import { NUM_DENSE_CLASSES } from '../../src/data';
import { DENSE_MODEL_TYPE, type DenseConfig } from '../../src/models';

export type SimoScale = 'smoke' | 'demo' | 'full';

export interface SimoBuildConfig {
  model: DenseConfig;
  train: number;
  test: number;
  batch: number;
  pretrainSteps: number;
  singleSteps: number;
  jointSteps: number;
  /** Peak lr of the base's pretraining. */
  peakLr: number;
  /** Peak lr of the fine-tunes and the joint baseline (default peakLr). */
  finetuneLr?: number;
  /** Fraction of the pretraining images' patches hidden (masked reconstruction). */
  maskFraction: number;
}

const tasks: DenseConfig['tasks'] = [
  { name: 'seg', kind: 'segmentation', classes: NUM_DENSE_CLASSES },
  { name: 'depth', kind: 'depth' },
  { name: 'normals', kind: 'normals' },
];

/** The smoke and demo pools' model: dim 32, 3 blocks, 32 px scenes in patches of 4. */
const SMALL_MODEL: DenseConfig = {
  model_type: DENSE_MODEL_TYPE,
  encoder: { imageSize: 32, patchSize: 4, dim: 32, depth: 3, heads: 2, mlpDim: 64, eps: 1e-5 },
  channels: 3,
  decoderHidden: 32,
  tasks,
};

export const SIMO_SCALES: Record<SimoScale, SimoBuildConfig> = {
  smoke: {
    model: SMALL_MODEL,
    train: 384,
    test: 96,
    batch: 16,
    pretrainSteps: 300,
    singleSteps: 100,
    jointSteps: 150,
    peakLr: 2e-3,
    maskFraction: 0.4,
  },
  demo: {
    model: SMALL_MODEL,
    train: 2000,
    test: 200,
    batch: 16,
    pretrainSteps: 1500,
    singleSteps: 1500,
    jointSteps: 2000,
    peakLr: 2e-3,
    maskFraction: 0.4,
  },
  full: {
    model: {
      model_type: DENSE_MODEL_TYPE,
      encoder: { imageSize: 32, patchSize: 4, dim: 64, depth: 4, heads: 4, mlpDim: 128, eps: 1e-5 },
      channels: 3,
      decoderHidden: 64,
      tasks,
    },
    train: 4000,
    test: 500,
    batch: 32,
    pretrainSteps: 3000,
    singleSteps: 2000,
    jointSteps: 3000,
    peakLr: 1e-3,
    maskFraction: 0.4,
  },
};
