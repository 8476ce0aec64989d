/**
 * The pictures' raw maps: for a few test scenes, the input, its ground truth and each model's
 * predictions (single-task: each task by its own fine-tune; the merge and each fix of the last
 * run). The page colour-maps them with src/eval/dense/pictures.ts, the functions a Node test
 * uses to recompute the canvases' pixels.
 */
import { denseSubset, renderDenseSet } from '../../data';
import { predictDense } from '../../eval';
import type { Methods } from '../protocol';
import { Transfer } from '../serve';
import type { StudioSession } from '../session';
import type { SimoPictures } from './protocol';
import { simoError } from './state';

type Maps = Record<string, Float32Array | Int32Array>;

export async function simoPictures(
  session: StudioSession,
  { images }: Methods['simoPictures']['params'],
): Promise<Transfer<SimoPictures>> {
  const { simo } = session;
  const pool = simo.thePool();
  const last = simo.theLastRun();
  const { config, data } = pool.manifest;
  const count = last.options.testLimit ?? data.test;
  for (const i of images)
    if (!(Number.isInteger(i) && i >= 0 && i < count))
      throw simoError('bad-option', `test image ${i} is outside 0 … ${count - 1}`);
  await session.tfDevice();
  const set = denseSubset(
    renderDenseSet(data.seed, 'test', Math.max(...images) + 1, data.size),
    images,
  );
  const single: Maps = {};
  for (const t of config.tasks) {
    const [p] = await predictDense(pool.singles.get(t.name)!, set, config, { tasks: [t] });
    single[t.name] = p!.values;
  }
  const models: SimoPictures['models'] = [{ name: 'single-task', tasks: single }];
  for (const [name, model] of last.models) {
    const maps: Maps = {};
    for (const p of await predictDense(model.params, set, config, { adapters: model.adapters }))
      maps[p.task.name] = p.values;
    models.push({ name, tasks: maps });
  }
  const result: SimoPictures = {
    size: data.size,
    images,
    rgb: set.rgb,
    truth: { label: set.label, depth: set.depth, normal: set.normal },
    models,
  };
  const buffers = [set.rgb, set.label, set.depth, set.normal].map((a) => a.buffer as ArrayBuffer);
  for (const m of models)
    for (const v of Object.values(m.tasks)) buffers.push(v.buffer as ArrayBuffer);
  return new Transfer(result, [...new Set(buffers)]);
}
