import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../../core';
import { renderDenseSet } from '../../data';
import { predictDense } from '../../eval';
import { initAdapters, initDecoder, initDenseEncoder } from '../../models';
import { tinyDenseConfig } from '../../models/testing';
import { clipByGlobalNorm, FitCancelledError, oneCycleLr } from './fit';
import { batchRows, headRealign, representationRealign, SimoInputError } from './realign';

const config = tinyDenseConfig(8);
const val = renderDenseSet(3, 'val', 8, 8);

function merged(): Params {
  const p = initDenseEncoder(config, 1);
  for (const t of config.tasks) for (const [k, v] of initDecoder(config, t, 2)) p.set(k, v);
  return p;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('SIMO re-alignment', () => {
  it('the one-cycle schedule and global-norm clipping', () => {
    expect(oneCycleLr(0, 100, 1)).toBeCloseTo(1 / 25, 9);
    expect(oneCycleLr(30, 100, 1)).toBeCloseTo(1, 9);
    expect(oneCycleLr(99, 100, 1)).toBeCloseTo(1 / 25e4, 9);
    expect(oneCycleLr(15, 100, 1)).toBeGreaterThan(oneCycleLr(10, 100, 1));
    const g = clipByGlobalNorm({ a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) }, 1);
    expect(Array.from(g.a!.dataSync())).toEqual([0.6, 0].map((x) => Math.fround(x)));
    expect(g.b!.dataSync()[0]).toBeCloseTo(0.8, 6);
    const small = clipByGlobalNorm({ a: tf.tensor1d([0.3]) }, 1);
    expect(small.a!.dataSync()[0]).toBeCloseTo(0.3, 6);
  });

  it('batches: whole set when it fits, else a seeded reshuffle per epoch', () => {
    expect(batchRows(5, 8, 0, 3)).toEqual([0, 1, 2, 3, 4]);
    const epoch = [0, 1, 2].flatMap((s) => batchRows(6, 2, 1, s));
    expect([...epoch].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(batchRows(6, 2, 1, 4)).toEqual(batchRows(6, 2, 1, 4));
  });

  it('adapters at start are the identity: predictions equal the plain merged model', async () => {
    const params = merged();
    const plain = await predictDense(params, val, config);
    const adapted = await predictDense(params, val, config, {
      adapters: initAdapters(config, 16, 9),
    });
    for (let k = 0; k < plain.length; k++)
      expect(Array.from(adapted[k]!.values)).toEqual(Array.from(plain[k]!.values));
  });

  it('head re-alignment lowers every task loss; the inputs are not changed', async () => {
    const params = merged();
    const before = Float32Array.from(params.get('decoders.seg.fc1.weight')!.data);
    const losses: Record<string, number[]> = {};
    const heads = await headRealign({
      config,
      params,
      val,
      steps: 40,
      batch: 4,
      peakLr: 1e-2,
      onLoss: (task, _s, loss) => (losses[task] ??= []).push(loss),
    });
    expect([...heads.keys()].every((k) => k.startsWith('decoders.'))).toBe(true);
    expect(heads.size).toBe(12);
    for (const t of config.tasks)
      expect(mean(losses[t.name]!.slice(-5))).toBeLessThan(mean(losses[t.name]!.slice(0, 5)));
    expect(params.get('decoders.seg.fc1.weight')!.data).toEqual(before);
  });

  it('representation re-alignment lowers the mean task loss and trains adapters', async () => {
    const losses: number[] = [];
    const r = await representationRealign({
      config,
      params: merged(),
      val,
      steps: 40,
      batch: 4,
      rank: 4,
      peakLr: 1e-2,
      onLoss: (_t, _s, loss) => losses.push(loss),
    });
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
    expect(r.adapters.get('adapters.0.B')!.shape).toEqual([4, 8]);
    expect(Math.max(...r.adapters.get('adapters.0.B')!.data.map(Math.abs))).toBeGreaterThan(0);
    expect(r.decoders.has('decoders.normals.fc2.bias')).toBe(true);
  });

  it('a validation set of 0 images and a cancel: clear errors', async () => {
    const empty = renderDenseSet(3, 'val', 0, 8);
    const opts = { config, params: merged(), val: empty };
    await expect(headRealign(opts)).rejects.toThrow(
      new SimoInputError(
        'the validation set has 0 images: the SIMO fixes need labelled validation images (raise --val)',
      ),
    );
    await expect(representationRealign(opts)).rejects.toThrow(SimoInputError);
    const controller = new AbortController();
    controller.abort();
    await expect(
      representationRealign({ config, params: merged(), val, signal: controller.signal }),
    ).rejects.toThrow(FitCancelledError);
  });
});
