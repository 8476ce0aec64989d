/**
 * EMR's per-task evaluation: the engine's EMR merge with its modulators file, then each zoo
 * task evaluated with its own modulated encoder — against the same task evaluated on an
 * encoder rebuilt here from the task vectors (mask = τₜ agrees with the elected sign, the
 * engine's rescaler), so the task matching, masks and rescalers reach the right task.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../core';
import {
  memorySink,
  memorySinkFolder,
  memorySource,
  openSafetensors,
  openSingleCheckpoint,
} from '../io';
import { makeValidSafetensors } from '../io/testing/safetensors-builder';
import { createCpuBackend, executeMerge, parseRecipe, planMerge } from '../merge';
import { syntheticZoo } from '../zoo/testing/synthetic-zoo';
import { evaluateWithModulators } from './emr-modulators';
import { encoderOf, evaluateEncoder } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const zoo = syntheticZoo({ tasks: 2, images: 16 });
const prefix = zoo.manifest.headPrefix;
const file = (params: Params, name: string) =>
  memorySource(
    makeValidSafetensors(
      [...params].map(([n, a]) => ({
        name: n,
        dtype: 'F32' as const,
        shape: a.shape,
        values: Array.from(a.data),
      })),
    ),
    name,
  );

async function emrMerge() {
  const ckpts = new Map();
  ckpts.set(
    'base.safetensors',
    await openSingleCheckpoint(file(encoderOf(zoo.base, prefix), 'base'), 'base'),
  );
  for (const t of zoo.manifest.tasks)
    ckpts.set(
      t.checkpoint,
      await openSingleCheckpoint(
        file(encoderOf(zoo.checkpoints.get(t.name)!, prefix), t.name),
        t.name,
      ),
    );
  const yaml = `merge_method: emr\nbase_model: base.safetensors\nmodels:\n${zoo.manifest.tasks.map((t) => `  - model: ${t.checkpoint}\n`).join('')}`;
  const plan = await planMerge(parseRecipe(yaml, 'r.yml').recipe, ckpts);
  const folder = memorySinkFolder();
  const sink = memorySink('emr_modulators.safetensors');
  const summary = await executeMerge(plan, createCpuBackend(), folder, { modulatorOutput: sink });
  const out = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'm'));
  const merged: Params = new Map();
  for (const [name, info] of out.tensors)
    merged.set(name, {
      shape: info.shape,
      data: new Float32Array((await out.readRaw(name)).slice().buffer),
    });
  return { merged, modulators: sink.bytes(), rescalers: summary.emrRescalers! };
}

describe('eval with EMR modulators', () => {
  it('evaluates each task on θ₀ + λₜ·mₜ⊙(merged − θ₀) with its own mask and rescaler', async () => {
    const { merged, modulators, rescalers } = await emrMerge();
    const row = await evaluateWithModulators('emr', merged, memorySource(modulators, 'mods'), zoo);
    const tasks = zoo.manifest.tasks;
    for (const [t, task] of tasks.entries()) {
      const encoder: Params = new Map();
      for (const [name, m] of merged) {
        const base = zoo.base.get(name)!.data;
        const taus = tasks.map((k) =>
          zoo.checkpoints
            .get(k.name)!
            .get(name)!
            .data.map((v, i) => v - base[i]!),
        );
        const data = m.data.map((v, i) => {
          const sign = taus.reduce((s, tau) => s + tau[i]!, 0) > 0 ? 1 : -1;
          return taus[t]![i]! * sign > 0 ? base[i]! + rescalers[t]! * (v - base[i]!) : base[i]!;
        });
        encoder.set(name, { shape: m.shape, data });
      }
      const want = await evaluateEncoder('direct', encoder, zoo, { tasks: [task.name] });
      expect(row.perTask[task.name]).toBe(want.perTask[task.name]);
    }
    expect(Object.keys(row.perTask)).toEqual(tasks.map((t) => t.name));
  });

  it('refuses a file that is not a modulators file, and one without the zoo’s tasks', async () => {
    const { merged, modulators } = await emrMerge();
    await expect(
      evaluateWithModulators('x', merged, file(merged, 'plain.safetensors'), zoo),
    ).rejects.toThrow(/plain.safetensors: .*not an EMR modulators file/);
    const other = syntheticZoo({ tasks: 3, images: 4 });
    await expect(
      evaluateWithModulators('x', merged, memorySource(modulators, 'mods'), other),
    ).rejects.toThrow(/no modulator for task "task2"/);
  });
});
