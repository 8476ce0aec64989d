import { makeValidSafetensors, type TestTensor } from '../../src/io/testing/corpus';
import type { FileSpec } from './drop';

/** A tiny model: two shared layers and a task head of `classes` outputs (40 + 8·classes params). */
export function tinyModel(name: string, classes: number, hidden = 8): FileSpec {
  const tensors: TestTensor[] = [
    { name: 'encoder.0.weight', dtype: 'F32', shape: [hidden, 4] },
    { name: 'encoder.0.bias', dtype: 'F16', shape: [hidden] },
    { name: 'heads.cls.weight', dtype: 'F32', shape: [classes, hidden] },
  ];
  return { name, bytes: makeValidSafetensors(tensors) };
}

/** A base and two fine-tunes with different heads: the smallest useful merge. */
export const trio = (): FileSpec[] => [
  tinyModel('base.safetensors', 5),
  tinyModel('mnist.safetensors', 10),
  tinyModel('fashion.safetensors', 10),
];
