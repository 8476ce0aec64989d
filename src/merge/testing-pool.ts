/**
 * A tiny synthetic model pool for merge tests (and the CLI test): a base and T task models
 * with mixed F32/BF16/F16 tensors, an I64 tensor, and one task-specific head per task.
 */
import { openSingleCheckpoint, type Checkpoint, memorySource } from '../io';
import { makeValidSafetensors, type TestTensor } from '../io/testing/safetensors-builder';
import type { Dtype } from '../io/types';

export const POOL_LAYERS = 3;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Tensor layout of the pool; `dtypeOf(model)` gives the attention weights' dtype per model. */
function layout(): { name: string; shape: number[] }[] {
  const out = [
    { name: 'model.embed.weight', shape: [6, 4] },
    { name: 'model.norm.weight', shape: [4] },
  ];
  for (let l = 0; l < POOL_LAYERS; l++) {
    out.push({ name: `model.layers.${l}.attn.weight`, shape: [4, 8] });
    out.push({ name: `model.layers.${l}.norm.bias`, shape: [4] });
  }
  return out;
}

const ATTN_DTYPES: Dtype[] = ['F32', 'BF16', 'F16', 'F32'];

/** Tensors of the base (model 0) and task models 1..tasks. */
export function poolTensors(tasks: number, seed = 1): TestTensor[][] {
  const base = layout().map((t) => {
    const r = rng(seed * 1000 + t.name.length);
    const n = t.shape.reduce((a, b) => a * b, 1);
    return { ...t, values: Array.from({ length: n }, () => r() * 2 - 1) };
  });
  const models: TestTensor[][] = [];
  for (let m = 0; m <= tasks; m++) {
    const r = rng(seed * 7919 + m * 104729);
    const tensors: TestTensor[] = base.map((t) => ({
      name: t.name,
      shape: t.shape,
      dtype: t.name.includes('attn') ? (ATTN_DTYPES[m % ATTN_DTYPES.length] as Dtype) : 'F32',
      values: m === 0 ? t.values : t.values.map((v) => v + (r() - 0.5) * 0.4),
    }));
    tensors.push({ name: 'position_ids', shape: [6], dtype: 'I64', values: [0, 1, 2, 3, 4, 5] });
    if (m > 0) {
      tensors.push({
        name: `heads.task${m}.weight`,
        shape: [2, 4],
        dtype: 'F32',
        values: Array.from({ length: 8 }, () => r()),
      });
    }
    models.push(tensors);
  }
  return models;
}

export function poolFiles(tasks: number, seed = 1): Uint8Array[] {
  return poolTensors(tasks, seed).map((t) => makeValidSafetensors(t));
}

export const poolKey = (m: number) => (m === 0 ? 'base' : `task${m}`);

/** In-memory checkpoints keyed base, task1, task2, … */
export async function poolCheckpoints(tasks: number, seed = 1): Promise<Map<string, Checkpoint>> {
  const files = poolFiles(tasks, seed);
  const map = new Map<string, Checkpoint>();
  for (let m = 0; m < files.length; m++) {
    map.set(
      poolKey(m),
      await openSingleCheckpoint(memorySource(files[m]!, `${poolKey(m)}.safetensors`), poolKey(m)),
    );
  }
  return map;
}
