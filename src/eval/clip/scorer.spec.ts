/**
 * ClipScorer against evaluateClip on a generated tiny CLIP pool of two tasks: the counts of a
 * whole range are evaluateClip's accuracies (which scores task by task in its own batches, so
 * the concatenated one-pass forward, the per-task slicing and the decoded-batch bookkeeping are
 * all checked); ranges that cut through decoded batches add up to the whole, also when a byte
 * budget makes it let scored images go and decode them again; a PixelCache
 * filled by the scorer serves evaluateClip the same images.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePreprocessorConfig, type ClipPreprocessConfig } from '../../data';
import { nodeDataFolder, openCheckpointPath } from '../../io/node';
import { toTensors } from '../../models';
import { accuracies, addCounts } from '../scorer';
import { writeTinyClipPool } from '../testing/clip-tiny-pool';
import type { WrittenPool } from '../testing/clip-write-pool';
import { evaluateClip, type ScoredTask } from './evaluate';
import { readClipModel, type ClipModel } from './model';
import { PixelCache } from './pixel-cache';
import { ClipScorer } from './scorer';
import { imageFolderTask } from './sources';

const TASKS = [
  { name: 'colours', classNames: ['amber', 'blue', 'green'], perClass: 5 },
  { name: 'shapes', classNames: ['circle', 'square'], perClass: 4 },
];

let dir = '';
let pool: WrittenPool;
let model: ClipModel;
let preprocess: ClipPreprocessConfig;
let tasks: ScoredTask[];

/** A fixed pseudo-random unit-row head: accuracy then depends on every image–label pair. */
function head(task: string, classes: number, dim: number, seed: number) {
  let s = seed;
  const weight = new Float32Array(classes * dim).map(() => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 30 - 1;
  });
  for (let c = 0; c < classes; c++) {
    const row = weight.subarray(c * dim, (c + 1) * dim);
    const n = Math.hypot(...row);
    row.forEach((v, i) => (row[i] = v / n));
  }
  return { task, classNames: [...Array(classes).keys()].map(String), weight, dim };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'clip-scorer-'));
  pool = await writeTinyClipPool(dir, TASKS, { scale: 4 });
  model = await readClipModel(await openCheckpointPath(pool.base));
  preprocess = parsePreprocessorConfig(
    await readFile(join(pool.base, 'preprocessor_config.json'), 'utf8'),
    'preprocessor_config.json',
  );
  const dim = model.projection.shape[0]!;
  tasks = await Promise.all(
    TASKS.map(async (t, k) => ({
      images: await imageFolderTask(t.name, nodeDataFolder(pool.data.get(t.name)!)),
      head: head(t.name, t.classNames.length, dim, 7 + k),
    })),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const scorerOf = (pixels?: PixelCache, batchSize = 4) =>
  new ClipScorer({
    tasks,
    config: model.config,
    logitScale: model.logitScale,
    projection: model.projection,
    preprocess,
    pixels,
    batchSize,
  });

async function reference(): Promise<Record<string, number>> {
  const params = toTensors(
    new Map([...model.vision, ['visual_projection.weight', model.projection]]),
  );
  try {
    const r = await evaluateClip(params, model.config, model.logitScale, preprocess, tasks);
    return Object.fromEntries([...r].map(([k, v]) => [k, v.accuracy]));
  } finally {
    tf.dispose([...params.values()]);
  }
}

describe('ClipScorer', () => {
  it('counts what evaluateClip counts, and ranges cut through batches add up', async () => {
    const want = await reference();
    expect(new Set(Object.values(want)).size, 'the tasks differ (not a constant)').toBe(2);
    const scorer = scorerOf();
    const vision = toTensors(model.vision);
    try {
      const whole = await scorer.countRange(vision, 0, 100);
      expect(whole.total).toEqual({ colours: 15, shapes: 8 });
      expect(accuracies(whole)).toEqual(want);
      // 0–3 and 3–6 end inside batches of 4; 6–100 runs past the smaller set's end.
      let parts = await scorer.countRange(vision, 0, 3);
      parts = addCounts(parts, await scorer.countRange(vision, 3, 6));
      parts = addCounts(parts, await scorer.countRange(vision, 6, 100));
      expect(parts).toEqual(whole);
      expect(await scorer.countRange(vision, 20, 30)).toEqual({
        correct: { colours: 0, shapes: 0 },
        total: { colours: 0, shapes: 0 },
      });
    } finally {
      tf.dispose([...vision.values()]);
      scorer.dispose();
    }
  });

  it('past its byte budget it lets scored images go and decodes them again when asked', async () => {
    const scorer = new ClipScorer({
      tasks,
      config: model.config,
      logitScale: model.logitScale,
      projection: model.projection,
      preprocess,
      batchSize: 2,
      budgetBytes: 1,
    });
    const vision = toTensors(model.vision);
    try {
      let parts = await scorer.countRange(vision, 0, 3);
      parts = addCounts(parts, await scorer.countRange(vision, 3, 7));
      parts = addCounts(parts, await scorer.countRange(vision, 7, 100));
      // From the start again (those images were let go), and overlapping ranges at once.
      const [whole, again] = await Promise.all([
        scorer.countRange(vision, 0, 100),
        scorer.countRange(vision, 0, 100),
      ]);
      expect(parts).toEqual(whole);
      expect(again).toEqual(whole);
      expect(accuracies(whole)).toEqual(await reference());
    } finally {
      tf.dispose([...vision.values()]);
      scorer.dispose();
    }
  });

  it('fills the session PixelCache that evaluateClip then reads', async () => {
    const pixels = new PixelCache();
    const scorer = scorerOf(pixels, 32);
    const vision = toTensors(model.vision);
    try {
      const first = accuracies(await scorer.countRange(vision, 0, 100));
      expect(pixels.bytes).toBeGreaterThan(0);
      const side = model.config.vision.imageSize;
      expect(pixels.bytes).toBe((15 + 8) * side * side * 3 * 4);
      expect(first).toEqual(await reference());
    } finally {
      tf.dispose([...vision.values()]);
      scorer.dispose();
    }
  });
});
