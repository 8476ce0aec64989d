import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../tf';
import { initEncoder, initHead } from './init';
import { toTensors, type NamedArray } from './tensors';
import { vitEncode, vitForward } from './vit';
import {
  DEFAULT_VIT_CONFIG,
  countParameters,
  encoderShapes,
  isHeadTensor,
  parameterNames,
  parameterShapes,
  type VitConfig,
} from './vit-config';

const TINY: VitConfig = {
  imageSize: 4,
  patchSize: 2,
  dim: 4,
  depth: 1,
  heads: 2,
  mlpDim: 8,
  eps: 1e-5,
};

/** Plain-JS ViT forward for one image, written from the architecture's description. */
function referenceForward(
  p: Map<string, NamedArray>,
  image: number[],
  c: VitConfig,
  task: string,
): number[] {
  const get = (n: string): Float32Array => p.get(n)!.data;
  const linear = (x: number[], w: Float32Array, b: Float32Array, out: number): number[] =>
    Array.from({ length: out }, (_, o) => x.reduce((s, xi, i) => s + xi * w[i * out + o]!, b[o]!));
  const ln = (x: number[], w: Float32Array, b: Float32Array): number[] => {
    const m = x.reduce((a, v) => a + v, 0) / x.length;
    const v = x.reduce((a, xi) => a + (xi - m) ** 2, 0) / x.length;
    return x.map((xi, i) => ((xi - m) / Math.sqrt(v + c.eps)) * w[i]! + b[i]!);
  };
  const side = c.imageSize / c.patchSize;
  const tokens: number[][] = [Array.from(get('encoder.cls_token'))];
  for (let py = 0; py < side; py++) {
    for (let px = 0; px < side; px++) {
      const patch: number[] = [];
      for (let i = 0; i < c.patchSize; i++) {
        for (let j = 0; j < c.patchSize; j++)
          patch.push(image[(py * c.patchSize + i) * c.imageSize + px * c.patchSize + j]!);
      }
      tokens.push(
        linear(patch, get('encoder.patch_embed.weight'), get('encoder.patch_embed.bias'), c.dim),
      );
    }
  }
  let x = tokens.map((t, ti) => t.map((v, d) => v + get('encoder.pos_embed')[ti * c.dim + d]!));
  const hd = c.dim / c.heads;
  for (let l = 0; l < c.depth; l++) {
    const b = `encoder.blocks.${l}`;
    const qkv = x.map((t) =>
      linear(
        ln(t, get(`${b}.norm1.weight`), get(`${b}.norm1.bias`)),
        get(`${b}.attn.qkv.weight`),
        get(`${b}.attn.qkv.bias`),
        3 * c.dim,
      ),
    );
    const attn = x.map((_, i) => {
      const out: number[] = [];
      for (let h = 0; h < c.heads; h++) {
        const q = qkv[i]!.slice(h * hd, (h + 1) * hd);
        const scores = qkv.map(
          (r) =>
            r.slice(c.dim + h * hd, c.dim + (h + 1) * hd).reduce((s, k, d) => s + k * q[d]!, 0) /
            Math.sqrt(hd),
        );
        const mx = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, v) => a + v, 0);
        for (let d = 0; d < hd; d++)
          out.push(qkv.reduce((s, r, j) => s + (e[j]! / z) * r[2 * c.dim + h * hd + d]!, 0));
      }
      return linear(out, get(`${b}.attn.proj.weight`), get(`${b}.attn.proj.bias`), c.dim);
    });
    x = x.map((t, i) => t.map((v, d) => v + attn[i]![d]!));
    x = x.map((t) => {
      const h1 = linear(
        ln(t, get(`${b}.norm2.weight`), get(`${b}.norm2.bias`)),
        get(`${b}.mlp.fc1.weight`),
        get(`${b}.mlp.fc1.bias`),
        c.mlpDim,
      );
      const g = h1.map((v) => v / (1 + Math.exp(-1.702 * v)));
      const o = linear(g, get(`${b}.mlp.fc2.weight`), get(`${b}.mlp.fc2.bias`), c.dim);
      return t.map((v, d) => v + o[d]!);
    });
  }
  const feature = ln(x[0]!, get('encoder.norm.weight'), get('encoder.norm.bias'));
  const w = p.get(`heads.${task}.weight`)!;
  return linear(feature, w.data, get(`heads.${task}.bias`), w.shape[1]!);
}

/** Random parameters (not the init's: LN weights/biases and heads must be non-trivial here). */
function randomParams(c: VitConfig, seed: number): Map<string, NamedArray> {
  const shapes = parameterShapes(c, [{ name: 't', numClasses: 3 }]);
  let s = seed;
  const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return new Map(
    [...shapes].map(([n, shape]) => [
      n,
      { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand) },
    ]),
  );
}

beforeAll(async () => {
  await initTf('cpu');
});

describe('parameter scheme', () => {
  it('names encoder tensors under encoder. and heads under heads.<task>.', () => {
    const names = parameterNames(DEFAULT_VIT_CONFIG, [{ name: 'mnist', numClasses: 10 }]);
    expect(names).toContain('encoder.blocks.3.attn.qkv.weight');
    expect(names).toContain('encoder.norm.bias');
    expect(names.filter(isHeadTensor)).toEqual(['heads.mnist.weight', 'heads.mnist.bias']);
    expect(names.filter((n) => !isHeadTensor(n)).every((n) => n.startsWith('encoder.'))).toBe(true);
    // 4 embedding tensors + 12 per block + final norm (2).
    expect(encoderShapes(DEFAULT_VIT_CONFIG).size).toBe(4 + 12 * 4 + 2);
  });

  it('counts the encoder parameters of the default config (dim 48, depth 4, mlp 96, patch 7)', () => {
    // per block: norm1 2·48, qkv 48·144+144, proj 48·48+48, norm2 2·48, fc1 48·96+96, fc2 96·48+48
    const perBlock = 96 + 6912 + 144 + 2304 + 48 + 96 + 4608 + 96 + 4608 + 48;
    // patch embed 49·48+48, cls 48, pos 17·48, final norm 2·48
    expect(countParameters(encoderShapes(DEFAULT_VIT_CONFIG))).toBe(
      2352 + 48 + 48 + 816 + 4 * perBlock + 96,
    );
  });

  it('initialises every tensor with its declared shape, deterministically', () => {
    const a = initEncoder(DEFAULT_VIT_CONFIG, 5);
    for (const [name, shape] of encoderShapes(DEFAULT_VIT_CONFIG)) {
      expect(a.get(name)!.shape).toEqual(shape);
      expect(a.get(name)!.data.length).toBe(shape.reduce((x, y) => x * y, 1));
    }
    expect(
      initEncoder(DEFAULT_VIT_CONFIG, 5).get('encoder.blocks.0.attn.qkv.weight')!.data,
    ).toEqual(a.get('encoder.blocks.0.attn.qkv.weight')!.data);
  });

  it('rejects an inconsistent config', () => {
    expect(() => encoderShapes({ ...TINY, dim: 5 })).toThrow(/multiple of heads/);
  });
});

describe('vitForward', () => {
  it('matches a plain-JS reference of the architecture', () => {
    const params = randomParams(TINY, 11);
    const images = [
      Array.from({ length: 16 }, (_, i) => i / 15),
      Array.from({ length: 16 }, (_, i) => ((i * 7) % 16) / 15),
    ];
    const tensors = toTensors(params);
    const logits = vitForward(tensors, tf.tensor2d(images.flat(), [2, 16]), 't', TINY).arraySync();
    images.forEach((image, n) => {
      const expected = referenceForward(params, image, TINY, 't');
      expected.forEach((v, k) => expect(logits[n]![k]).toBeCloseTo(v, 4));
    });
  });

  it('accepts [N, H, W, 1] and [N, H·W] images alike and gives [N, classes] logits', () => {
    const params = toTensors(
      new Map([...initEncoder(DEFAULT_VIT_CONFIG, 1), ...initHead(DEFAULT_VIT_CONFIG, 'x', 7, 2)]),
    );
    const flat = tf.randomUniform([3, 784], 0, 1, 'float32', 9) as tf.Tensor2D;
    const a = vitForward(params, flat, 'x');
    const b = vitForward(params, flat.reshape([3, 28, 28, 1]) as tf.Tensor4D, 'x');
    expect(a.shape).toEqual([3, 7]);
    expect(vitEncode(params, flat).shape).toEqual([3, DEFAULT_VIT_CONFIG.dim]);
    expect(a.arraySync()).toEqual(b.arraySync());
  });

  it('names the missing tensor', () => {
    const params = toTensors(initEncoder(DEFAULT_VIT_CONFIG, 1));
    expect(() => vitForward(params, tf.zeros([1, 784]) as tf.Tensor2D, 'nohead')).toThrow(
      /heads\.nohead\.weight/,
    );
  });

  it('differentiates through merged weights θ₀ + λ·τ (what AdaMerging needs)', () => {
    const base = randomParams(TINY, 1);
    const tuned = randomParams(TINY, 2);
    const baseT = toTensors(base);
    const tau = new Map([...toTensors(tuned)].map(([n, t]) => [n, tf.sub(t, baseT.get(n)!)]));
    const x = tf.tensor2d(
      Array.from({ length: 32 }, (_, i) => (i % 5) / 4),
      [2, 16],
    );
    const loss = (lambda: tf.Tensor): tf.Scalar => {
      const merged = new Map(
        [...baseT].map(([n, b]) => [
          n,
          n.startsWith('heads.') ? b : tf.add(b, tf.mul(lambda, tau.get(n)!)),
        ]),
      );
      const logp = tf.logSoftmax(vitForward(merged, x, 't', TINY));
      return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp))) as tf.Scalar;
    };
    const lambda = tf.scalar(0.3);
    const grad = tf.grad(loss)(lambda).dataSync()[0]!;
    const h = 1e-2;
    const numeric =
      (loss(tf.scalar(0.3 + h)).dataSync()[0]! - loss(tf.scalar(0.3 - h)).dataSync()[0]!) / (2 * h);
    expect(Math.abs(grad)).toBeGreaterThan(1e-4);
    expect(grad).toBeCloseTo(numeric, 2);
  });
});
