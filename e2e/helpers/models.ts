import { makeValidSafetensors, patternValues, type TestTensor } from '../../src/io/testing/corpus';
import type { FileSpec } from './drop';

const HIDDEN = 8;

/** Shared tensors of every tiny model (the head is added per task). */
export const SHARED: { name: string; dtype: 'F32' | 'F16'; shape: number[] }[] = [
  { name: 'encoder.0.weight', dtype: 'F32', shape: [HIDDEN, 4] },
  { name: 'encoder.0.bias', dtype: 'F16', shape: [HIDDEN] },
];

/** Values of a shared tensor in the model with this `shift`: a pattern plus a constant. */
export function sharedValues(name: string, shift: number): Float32Array {
  const spec = SHARED.find((s) => s.name === name)!;
  const count = spec.shape.reduce((a, b) => a * b, 1);
  return patternValues(name, count).map((v) => v + shift);
}

/** A tiny model: two shared layers and a task head of `classes` outputs (40 + 8·classes params). */
export function tinyModel(name: string, classes: number, shift = 0, head = 'heads'): FileSpec {
  const tensors: TestTensor[] = [
    ...SHARED.map((s) => ({ ...s, values: sharedValues(s.name, shift) })),
    { name: `${head}.cls.weight`, dtype: 'F32', shape: [classes, HIDDEN] },
  ];
  return { name, bytes: makeValidSafetensors(tensors) };
}

/** A base and two fine-tunes (shifted by +0.25 and −0.5) with their own heads. */
export const trio = (): FileSpec[] => [
  tinyModel('base.safetensors', 5, 0),
  tinyModel('mnist.safetensors', 10, 0.25),
  tinyModel('fashion.safetensors', 10, -0.5),
];
