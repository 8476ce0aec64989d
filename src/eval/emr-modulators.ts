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

/**
 * What names a task among the modulators' keys: its name and the checkpoint the recipe merged
 * for it (a zoo task's file, a CLIP fine-tune's name).
 */
export type ModulatedTask = Pick<ZooTask, 'name' | 'checkpoint'>;

/** Index of `task` among the modulators' task keys (by file name or task name), else −1. */
export function modulatorTask(keys: string[], task: ModulatedTask): number {
  return keys.findIndex((k) => stem(k) === stem(task.checkpoint) || stem(k) === task.name);
}

/** A modulators file read for one unified model: task keys, rescalers and packed masks. */
export interface ModulatorsFile {
  /** The file's name, for errors. */
  name: string;
  /** The recipe's task models in order (their keys, e.g. checkpoint file names). */
  tasks: string[];
  rescalers: Float32Array;
  /** Merged tensor name → U8 [T, ⌈numel/8⌉] masks, for the tensors of `merged` it masks. */
  masks: Map<string, Uint8Array>;
}

/** Reads the masks of `merged`'s tensors and the rescalers; refuses anything else. */
export async function readModulators(source: ByteSource, merged: Params): Promise<ModulatorsFile> {
  const file = await openSafetensors(source);
  if (file.metadata['format'] !== 'emr_modulators' || !file.tensors.has(EMR_RESCALERS))
    throw new ZooFormatError(
      source.name,
      'not an EMR modulators file (merge --modulators writes one)',
    );
  const tasks = JSON.parse(file.metadata['tasks'] ?? '[]') as string[];
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
  return { name: source.name, tasks, rescalers, masks };
}

/** `task`'s row in the modulators; throws (naming the file) when they have none for it. */
export function modulatorRow(modulators: ModulatorsFile, task: ModulatedTask): number {
  const t = modulatorTask(modulators.tasks, task);
  if (t < 0)
    throw new ZooFormatError(
      modulators.name,
      `no modulator for task "${task.name}" (its tasks: ${modulators.tasks.join(', ')})`,
    );
  return t;
}

/** Every task has a modulator: checked before the first (slow) evaluation. */
export function checkModulatorsCover(
  modulators: ModulatorsFile,
  tasks: readonly ModulatedTask[],
): void {
  for (const task of tasks) modulatorRow(modulators, task);
}

/**
 * The encoder `task` runs with: θ₀ + λₜ · mₜ ⊙ (merged − θ₀) for every masked tensor, the
 * merged tensor elsewhere; θ₀ (`base`) is the merge's base model.
 */
export function modulatedEncoder(
  merged: Params,
  modulators: ModulatorsFile,
  base: Params,
  task: ModulatedTask,
): Params {
  const t = modulatorRow(modulators, task);
  const encoder: Params = new Map();
  for (const [name, arr] of merged) {
    const mask = modulators.masks.get(name);
    const theta0 = base.get(name);
    encoder.set(
      name,
      mask && theta0
        ? {
            shape: arr.shape,
            data: emrTaskTensor(
              theta0.data as Float32Array,
              arr.data as Float32Array,
              mask,
              t,
              modulators.rescalers[t]!,
            ),
          }
        : arr,
    );
  }
  return encoder;
}

/** Each zoo task evaluated with its own modulated encoder (`eval --modulators`; θ₀ = the zoo's base). */
export async function evaluateWithModulators(
  method: string,
  merged: Params,
  source: ByteSource,
  zoo: LoadedZoo,
  options: { limit?: number } = {},
): Promise<TableRow> {
  const modulators = await readModulators(source, merged);
  checkModulatorsCover(modulators, zoo.manifest.tasks);
  const perTask: Record<string, number> = {};
  for (const task of zoo.manifest.tasks) {
    const encoder = modulatedEncoder(merged, modulators, zoo.base, task);
    const row = await evaluateEncoder(method, encoder, zoo, { ...options, tasks: [task.name] });
    Object.assign(perTask, row.perTask);
  }
  return { method, perTask, average: mean(Object.values(perTask)) };
}
