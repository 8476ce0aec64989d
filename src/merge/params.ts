/**
 * In-memory `Params` through the same I/O and engine as files: `paramsToBytes` writes them
 * with the io SafetensorsWriter, `paramsFromBytes` reads them back with openSafetensors, and
 * `mergeParams` runs a recipe through planMerge + executeMerge on the CPU backend. The zoo,
 * the results tables, AdaMerging's export and the tests use these, so there is one reader,
 * one writer and one implementation of every merge formula.
 */
import type { Params } from '../core';
import {
  SafetensorsError,
  SafetensorsWriter,
  memorySink,
  memorySource,
  openSafetensors,
  openSingleCheckpoint,
  type Checkpoint,
} from '../io';
import { createCpuBackend } from './cpu/index';
import { taskVector } from './cpu/unpack';
import { executeMerge } from './executor/index';
import { planMerge } from './plan';
import type { Recipe } from './recipe/types';

function bytesOf(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** An F32 safetensors file of `params` in their order (metadata values must be strings). */
export async function paramsToBytes(
  params: Params,
  metadata?: Record<string, string>,
  fileName = 'params.safetensors',
): Promise<Uint8Array> {
  const sink = memorySink(fileName);
  const specs = [...params].map(([name, t]) => ({
    name,
    dtype: 'F32' as const,
    shape: t.shape,
  }));
  const writer = new SafetensorsWriter(sink, specs, metadata);
  for (const [name, t] of params) await writer.writeTensor(name, bytesOf(t.data));
  await writer.finish();
  return sink.bytes();
}

/**
 * Every tensor of a safetensors file held in memory, converted to f32 (F32, F16, BF16, F64);
 * errors are io's SafetensorsError naming `fileName` and the tensor.
 */
export async function paramsFromBytes(bytes: Uint8Array, fileName: string): Promise<Params> {
  const file = await openSafetensors(memorySource(bytes, fileName));
  const out: Params = new Map();
  for (const [name, info] of file.tensors) {
    out.set(name, { shape: info.shape, data: await file.readF32(name) });
  }
  return out;
}

/** `params` as an io Checkpoint named `name` (what planMerge and the executor take). */
export async function paramsCheckpoint(params: Params, name: string): Promise<Checkpoint> {
  return openSingleCheckpoint(
    memorySource(await paramsToBytes(params, undefined, name), name),
    name,
  );
}

/**
 * The recipe merged by the engine over in-memory models (recipe model key → Params): every
 * tensor of the output (merged and copied), as f32. Same plan, kernels and numbers as a merge
 * of the same tensors from files.
 */
export async function mergeParams(recipe: Recipe, models: Map<string, Params>): Promise<Params> {
  const checkpoints = new Map<string, Checkpoint>();
  for (const [key, params] of models) checkpoints.set(key, await paramsCheckpoint(params, key));
  const plan = await planMerge(recipe, checkpoints);
  const backend = createCpuBackend();
  try {
    const sink = memorySink('merged.safetensors');
    await executeMerge(plan, backend, sink);
    return await paramsFromBytes(sink.bytes(), 'merged.safetensors');
  } finally {
    backend.dispose();
  }
}

/**
 * τ = θ_tuned − θ_base (f32, the engine's taskVector kernel) for every base tensor `keep`
 * accepts, in the base's order. The tuned model must have each such tensor in the same shape.
 */
export function taskVectors(
  base: Params,
  tuned: Params,
  keep: (name: string) => boolean = () => true,
  tunedName = 'fine-tuned model',
): Params {
  const out: Params = new Map();
  for (const [name, b] of base) {
    if (!keep(name)) continue;
    const t = tuned.get(name);
    if (!t) throw new SafetensorsError(tunedName, name, 'tensor is missing (the base has it)');
    if (t.shape.join() !== b.shape.join())
      throw new SafetensorsError(
        tunedName,
        name,
        `has shape [${t.shape}], the base has [${b.shape}]`,
      );
    out.set(name, { shape: b.shape, data: taskVector(b.data, t.data) });
  }
  return out;
}
