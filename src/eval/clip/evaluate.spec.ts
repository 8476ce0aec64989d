/**
 * evaluateClip against an independent computation on a generated tiny CLIP pool: heads are class
 * prototypes (the normalised mean embedding of each class's images, so accuracy is far from
 * chance and depends on every image–label pairing); the expected accuracy is the nearest
 * prototype by cosine computed here in plain JS from clipImageEmbeds. Folder and Parquet
 * sources of the same images agree; limit, progress and cancellation behave.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeImage,
  parsePreprocessorConfig,
  preprocessForClip,
  readImageFolder,
} from '../../data';
import { hfParquetBytes } from '../../data/testing/hf-parquet';
import { memorySource } from '../../io';
import { nodeDataFolder, openCheckpointPath } from '../../io/node';
import { clipImageEmbeds } from '../../models';
import { toTensors } from '../../models';
import type { Progress } from '../../core';
import { evaluateClip } from './evaluate';
import { PixelCache } from './pixel-cache';
import { readClipModel, type ClipModel } from './model';
import { imageFolderTask, parquetTask } from './sources';
import { writeTinyClipPool } from '../testing/clip-tiny-pool';
import type { WrittenPool } from '../testing/clip-write-pool';
import type { ZeroShotHead } from './zero-shot';

let dir = '';
let pool: WrittenPool;
let model: ClipModel;
let params: Map<string, tf.Tensor>;
const classNames = ['amber', 'blue', 'green', 'violet'];

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'clip-eval-'));
  pool = await writeTinyClipPool(dir, [{ name: 'colours', classNames, perClass: 6 }], { scale: 4 });
  model = await readClipModel(await openCheckpointPath(pool.base));
  params = toTensors(new Map([...model.vision, ['visual_projection.weight', model.projection]]));
});
afterAll(async () => {
  tf.dispose([...params.values()]);
  await rm(dir, { recursive: true, force: true });
});

const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

async function embeddingsAndLabels() {
  const folder = pool.data.get('colours')!;
  const dataset = await readImageFolder(nodeDataFolder(folder));
  const cfg = parsePreprocessorConfig(
    await readFile(join(pool.base, 'preprocessor_config.json'), 'utf8'),
    'p',
  );
  const side = model.config.vision.imageSize;
  const bytes = await Promise.all(dataset.items.map((i) => readFile(join(folder, i.path))));
  const pixels = bytes.map((b, k) =>
    preprocessForClip(decodeImage(new Uint8Array(b), dataset.items[k]!.path), cfg),
  );
  const x = tf.tensor4d(Float32Array.from(pixels.flatMap((p) => Array.from(p))), [
    pixels.length,
    side,
    side,
    3,
  ]);
  const e = clipImageEmbeds(params, x, model.config);
  const data = await e.data();
  tf.dispose([x, e]);
  const dim = e.shape[1];
  const rows = pixels.map((_, i) => unit(data.slice(i * dim, (i + 1) * dim) as Float32Array));
  return { rows, labels: dataset.items.map((i) => i.label!), dim, dataset, bytes, cfg };
}

function prototypeHead(rows: Float32Array[], labels: number[], dim: number): ZeroShotHead {
  const weight = new Float32Array(classNames.length * dim);
  classNames.forEach((_, c) => {
    const mean = new Float32Array(dim);
    rows.forEach((r, i) => {
      if (labels[i] === c) r.forEach((v, j) => (mean[j]! += v));
    });
    weight.set(unit(mean), c * dim);
  });
  return { task: 'colours', classNames, weight, dim };
}

describe('evaluateClip', () => {
  it('equals nearest-prototype accuracy computed independently, from a folder and from Parquet', async () => {
    const { rows, labels, dim, dataset, bytes, cfg } = await embeddingsAndLabels();
    const head = prototypeHead(rows, labels, dim);
    let correct = 0;
    let entropySum = 0;
    const scale = Math.exp(model.logitScale);
    rows.forEach((r, i) => {
      const scores = classNames.map((_, c) =>
        r.reduce((s, v, j) => s + v * head.weight[c * dim + j]!, 0),
      );
      if (scores.indexOf(Math.max(...scores)) === labels[i]) correct++;
      // Softmax entropy of scale · cosine, in float64 with the max subtracted.
      const top = Math.max(...scores);
      const w = scores.map((z) => Math.exp(scale * (z - top)));
      const total = w.reduce((a, b) => a + b, 0);
      entropySum -= w.reduce((h, x) => h + (x / total) * Math.log(x / total), 0);
    });
    const expected = correct / rows.length;
    const entropy = entropySum / rows.length;
    expect(entropy).toBeGreaterThan(0.01); // not a one-hot softmax: the check has teeth
    expect(expected).toBeGreaterThan(1.5 / classNames.length); // far from chance: pairing matters

    const folderTask = await imageFolderTask('colours', nodeDataFolder(pool.data.get('colours')!));
    const rowsForParquet = dataset.items.map((item, k) => ({
      bytes: new Uint8Array(bytes[k]!),
      path: item.path,
      label: item.label,
    }));
    const parquet = await parquetTask(
      'colours',
      memorySource(
        hfParquetBytes(rowsForParquet, { names: classNames, rowGroupSize: 5 }),
        'colours.parquet',
      ),
    );
    for (const images of [folderTask, parquet]) {
      const r = await evaluateClip(
        params,
        model.config,
        model.logitScale,
        cfg,
        [{ images, head }],
        { batchSize: 7 },
      );
      const { entropy: got, ...rest } = r.get('colours')!;
      expect(rest).toEqual({ accuracy: expected, n: rows.length, skipped: 0 });
      expect(got).toBeCloseTo(entropy, 4);
    }
  });

  it('limit, progress with done/total and rate, and cancellation between batches', async () => {
    const { rows, labels, dim, cfg } = await embeddingsAndLabels();
    const head = prototypeHead(rows, labels, dim);
    const images = await imageFolderTask('colours', nodeDataFolder(pool.data.get('colours')!));
    const events: Progress[] = [];
    const r = await evaluateClip(params, model.config, model.logitScale, cfg, [{ images, head }], {
      batchSize: 4,
      limit: 10,
      onProgress: (p) => events.push(p),
    });
    expect(r.get('colours')!.n).toBe(10);
    const last = events.filter((e) => e.status === 'progress').at(-1)!;
    expect(last).toMatchObject({ done: 10, total: 10 });
    expect((last as { rate?: number }).rate).toBeGreaterThan(0);
    const controller = new AbortController();
    const run = evaluateClip(params, model.config, model.logitScale, cfg, [{ images, head }], {
      batchSize: 4,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.status === 'progress' && p.done >= 4) controller.abort(new Error('stop'));
      },
    });
    await expect(run).rejects.toThrow('stop');
  });

  it('a pixel cache: the second evaluation reads no image and scores the same; a full budget keeps nothing', async () => {
    const { rows, labels, dim, cfg } = await embeddingsAndLabels();
    const head = prototypeHead(rows, labels, dim);
    const folder = await imageFolderTask('colours', nodeDataFolder(pool.data.get('colours')!));
    let passes = 0;
    const images = {
      ...folder,
      images: () => {
        passes++;
        return folder.images();
      },
    };
    const run = (pixels: PixelCache, limit?: number) =>
      evaluateClip(params, model.config, model.logitScale, cfg, [{ images, head }], {
        batchSize: 4,
        limit,
        pixels,
      });
    const cache = new PixelCache();
    const plain = await evaluateClip(
      params,
      model.config,
      model.logitScale,
      cfg,
      [{ images, head }],
      {
        batchSize: 4,
      },
    );
    passes = 0;
    const first = await run(cache);
    expect(passes).toBe(1);
    expect(cache.bytes).toBe(folder.count * model.config.vision.imageSize ** 2 * 3 * 4);
    const second = await run(cache);
    expect(passes).toBe(1);
    expect(second).toEqual(first);
    expect(first).toEqual(plain);
    // Another count is another entry (the live estimate's first images).
    await run(cache, 5);
    expect(passes).toBe(2);
    await run(cache, 5);
    expect(passes).toBe(2);
    const tiny = new PixelCache(1024);
    await run(tiny);
    await run(tiny);
    expect(passes).toBe(4);
    expect(tiny.bytes).toBe(0);
  });
});
