/**
 * The one in-memory tensor type of the core: a named f32 array with its shape. Checkpoints
 * read for evaluation and adaptation, task vectors and merged weights are all `Params`, and
 * src/merge converts them to and from safetensors bytes (merge/params.ts) so every file goes
 * through src/io.
 */
export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

/** Tensor name → values, in insertion (file or forward) order. */
export type Params = Map<string, NamedArray>;

/** Element count of a shape (1 for a scalar). */
export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
