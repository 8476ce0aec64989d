/**
 * EMR's per-task evaluation (harveyhuang18/EMR_Merging: each task runs its own modulated model):
 * task t's encoder is θ₀ + λₜ · mₜ ⊙ (merged − θ₀) for every tensor the modulators file masks
 * (merge --modulators), the merged tensor elsewhere; each task is evaluated with its own.
 */
import type { Params } from '../core';
import { openSafetensors, type ByteSource } from '../io';
import { EMR_MASK_SUFFIX, EMR_RESCALERS, emrTaskTensor } from '../merge';
import { ZooFormatError, type LoadedZoo, type ZooTask } from '../zoo';
import { evaluateEncoder, mean, type TableRow } from './zoo-table';

/** A recipe key's file name without folders and extension. */
const stem = (path: string) =>
  (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? path
  ).replace(/\.safetensors$/, '');

/** Index of `task` among the modulators' task keys (by file name or task name), else −1. */
export function modulatorTask(keys: string[], task: ZooTask): number {
  return keys.findIndex((k) => stem(k) === stem(task.checkpoint) || stem(k) === task.name);
}

export async function evaluateWithModulators(
  method: string,
  merged: Params,
  source: ByteSource,
  zoo: LoadedZoo,
  options: { limit?: number } = {},
): Promise<TableRow> {
  const file = await openSafetensors(source);
  if (file.metadata['format'] !== 'emr_modulators' || !file.tensors.has(EMR_RESCALERS))
    throw new ZooFormatError(
      source.name,
      'not an EMR modulators file (merge --modulators writes one)',
    );
  const keys = JSON.parse(file.metadata['tasks'] ?? '[]') as string[];
  const rescalers = new Float32Array((await file.readRaw(EMR_RESCALERS)).slice().buffer);
  const masks = new Map<string, Uint8Array>();
  for (const name of merged.keys())
    if (file.tensors.has(name + EMR_MASK_SUFFIX))
      masks.set(name, await file.readRaw(name + EMR_MASK_SUFFIX));
  if (masks.size === 0)
    throw new ZooFormatError(
      source.name,
      `masks none of the model's ${merged.size} encoder tensors`,
    );
  const perTask: Record<string, number> = {};
  for (const task of zoo.manifest.tasks) {
    const t = modulatorTask(keys, task);
    if (t < 0)
      throw new ZooFormatError(
        source.name,
        `no modulator for task "${task.name}" (its tasks: ${keys.join(', ')})`,
      );
    const encoder: Params = new Map();
    for (const [name, arr] of merged) {
      const mask = masks.get(name);
      const base = zoo.base.get(name);
      encoder.set(
        name,
        mask && base
          ? {
              shape: arr.shape,
              data: emrTaskTensor(
                base.data as Float32Array,
                arr.data as Float32Array,
                mask,
                t,
                rescalers[t]!,
              ),
            }
          : arr,
      );
    }
    const row = await evaluateEncoder(method, encoder, zoo, { ...options, tasks: [task.name] });
    Object.assign(perTask, row.perTask);
  }
  return { method, perTask, average: mean(Object.values(perTask)) };
}
