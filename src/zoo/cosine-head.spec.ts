import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../tf';
import { validateManifest } from './manifest';
import { train } from './train';
import {
  initEncoder,
  initHead,
  toTensors,
  vitEncode,
  vitForward,
  vitHead,
  DEFAULT_VIT_CONFIG,
  validateVitConfig,
  type VitConfig,
} from '../models';

const COSINE: VitConfig = { ...DEFAULT_VIT_CONFIG, head: 'cosine', logitScale: 16 };

/** s · cos(f, W_c) for one feature row, in plain JS: W is [dim, classes] row-major. */
function referenceCosine(f: number[], w: Float32Array, classes: number, s: number): number[] {
  const norm = (v: number[]): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return Array.from({ length: classes }, (_, c) => {
    const col = f.map((_, i) => w[i * classes + c]!);
    return (s * f.reduce((a, x, i) => a + x * col[i]!, 0)) / (norm(f) * norm(col));
  });
}

function head(classes: number, dim: number, bias: number): Map<string, tf.Tensor> {
  const weight = Float32Array.from({ length: dim * classes }, (_, i) => Math.sin(i * 1.7) + 0.1);
  return new Map([
    ['heads.t.weight', tf.tensor2d(weight, [dim, classes])],
    // A cosine head has no bias: a non-zero one must not change its logits.
    ['heads.t.bias', tf.fill([classes], bias)],
  ]);
}

beforeAll(async () => {
  await initTf('cpu');
});

describe('cosine head', () => {
  it('gives s · cosine(feature, class column), ignoring the bias', () => {
    const dim = 6;
    const classes = 3;
    const params = head(classes, dim, 5);
    const rows = [
      [0.3, -1.2, 2.0, 0.1, 0.0, 0.7],
      [-4, 1, 1, 3, -2, 0.5],
    ];
    const logits = vitHead(params, tf.tensor2d(rows), 't', COSINE).arraySync();
    const w = params.get('heads.t.weight')!.dataSync() as Float32Array;
    rows.forEach((f, n) =>
      referenceCosine(f, w, classes, 16).forEach((v, c) => expect(logits[n]![c]).toBeCloseTo(v, 4)),
    );
    // |logit| ≤ s, and a linear head (the default) still reads the bias.
    expect(logits.flat().every((v) => Math.abs(v) <= 16 + 1e-4)).toBe(true);
    const linear = vitHead(params, tf.tensor2d(rows), 't').arraySync();
    expect(linear[0]![0]).toBeCloseTo(
      rows[0]!.reduce((a, x, i) => a + x * w[i * classes]!, 5),
      4,
    );
  });

  it('is invariant to scaling the feature', () => {
    const params = head(4, 5, 0);
    const f = tf.tensor2d([[1, -2, 0.5, 3, -0.25]]);
    const at = (k: number): number[] => vitHead(params, tf.mul(f, k), 't', COSINE).arraySync()[0]!;
    for (const k of [1e-3, 0.5, 7.5, 300]) {
      at(k).forEach((v, c) => expect(v).toBeCloseTo(at(1)[c]!, 4));
    }
  });

  it('is what vitForward computes when the config says cosine, and is differentiable', () => {
    const params = toTensors(new Map([...initEncoder(COSINE, 3), ...initHead(COSINE, 't', 5, 4)]));
    const x = tf.randomUniform([2, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
    const feature = vitEncode(params, x, COSINE).arraySync();
    const w = params.get('heads.t.weight')!.dataSync() as Float32Array;
    const logits = vitForward(params, x, 't', COSINE).arraySync();
    feature.forEach((f, n) =>
      referenceCosine(f, w, 5, 16).forEach((v, c) => expect(logits[n]![c]).toBeCloseTo(v, 3)),
    );
    const g = tf.grad((f: tf.Tensor) => tf.sum(vitHead(params, f as tf.Tensor2D, 't', COSINE)))(
      tf.tensor2d(feature),
    );
    expect(g.dataSync().every(Number.isFinite)).toBe(true);
  });

  it('keeps the bias at 0 in training', async () => {
    const initial = new Map([...initEncoder(COSINE, 1), ...initHead(COSINE, 't', 3, 2)]);
    const pixels = Uint8Array.from({ length: 4 * 784 }, (_, i) => (i * 37) % 256);
    const out = await train({
      config: COSINE,
      initial,
      head: 't',
      numClasses: 3,
      steps: 2,
      batch: () => ({ count: 4, side: 28, pixels, labels: Uint8Array.from([0, 1, 2, 1]) }),
      peakLr: 1e-2,
      warmupSteps: 1,
    });
    expect([...out.get('heads.t.bias')!.data]).toEqual([0, 0, 0]);
    expect(out.get('heads.t.weight')!.data).not.toEqual(initial.get('heads.t.weight')!.data);
  });

  it('is validated in the config and the manifest', () => {
    expect(() => validateVitConfig({ ...COSINE, logitScale: 0 })).toThrow(/logitScale/);
    expect(() =>
      validateVitConfig({ ...COSINE, head: 'mlp' as unknown as VitConfig['head'] }),
    ).toThrow(/head must be/);
    const manifest = (config: object): unknown => ({
      format: 'merge-studio-zoo',
      version: 1,
      model: { architecture: 'vit', config },
      headPrefix: 'heads.',
      base: { checkpoint: 'base.safetensors' },
      tasks: [
        {
          name: 't',
          classNames: ['a', 'b'],
          checkpoint: 't.safetensors',
          headTensors: ['heads.t.weight'],
          test: { file: 't.bin', count: 1, side: 28 },
        },
      ],
      seed: 1,
    });
    expect(validateManifest(manifest(COSINE), 'm.json').model.config.head).toBe('cosine');
    expect(() => validateManifest(manifest({ ...COSINE, head: 'x' }), 'm.json')).toThrow(/head/);
  });
});
