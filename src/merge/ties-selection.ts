/**
 * The TIES selection of official TIES and AdaMerging++, as an engine function over in-memory
 * task vectors: trim each τₖ to its top-`density` magnitudes over the whole model (the
 * executor's model-scope selector, ties at the threshold kept), elect a sign per entry by
 * mass (Σₖ τ̂ₖ in f32, model order) with an exact 0 taking the model-wide majority sign
 * (the executor's majority-sign pass), and keep the entries of each τ̂ₖ that agree with it.
 *
 * A TIES merge is θ₀ + λ·Σₖ (or the mean of) these selected vectors; AdaMerging++ learns one λ
 * per task (and tensor) over them instead of summing. The kernels are the CPU backend's, so
 * `ties` recipes with trim_scope: model and zero_sign: majority select the same entries.
 */
import type { Params } from '../core';
import type { RawTensor } from './backend';
import { electedSign, electionSum } from './cpu/consensus';
import { CpuMagnitudeSelector } from './cpu/magnitude-selector';
import { sparsify, type SparsifyOptions } from './cpu/sparsify';

const raw = (data: Float32Array): RawTensor => ({
  dtype: 'F32',
  bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});

/**
 * Per model, the model-scope magnitude threshold (keep |τ| ≥ it) of k = floor(density·N) over
 * all N entries of its task vector, found by the engine's radix selector.
 */
export function modelScopeThresholds(vectors: Params[], densities: number[]): number[] {
  const names = [...(vectors[0]?.keys() ?? [])];
  const total = names.reduce((n, name) => n + vectors[0]!.get(name)!.data.length, 0);
  // No candidate band: every pass re-reads the (in-memory) vectors, all synchronously.
  const selector = new CpuMagnitudeSelector(densities, total, 0);
  const zeros = new Map(
    names.map((n) => [n, raw(new Float32Array(vectors[0]!.get(n)!.data.length))]),
  );
  do {
    for (const name of names) {
      vectors.forEach((v, m) => selector.addNow(m, zeros.get(name)!, raw(v.get(name)!.data)));
    }
  } while (selector.needsAnotherPass());
  return selector.thresholds();
}

function trimOptions(name: string, m: number, threshold: number): SparsifyOptions {
  return {
    sparsifier: 'magnitude',
    density: 1,
    gamma: 0,
    epsilon: 0,
    rescale: 'none',
    rowWise: false,
    rowLen: 1,
    seed: 0,
    modelIndex: m,
    tensorName: name,
    threshold,
  };
}

/**
 * Each τₖ reduced to its TIES-selected part (same tensors, shapes and order as `vectors`):
 * model-scope trim at `density`, sign election by mass with the majority zero rule, agreeing
 * entries kept, the others 0.
 */
export function tiesSelectedTaskVectors(vectors: Params[], density: number): Params[] {
  if (vectors.length === 0) return [];
  const names = [...vectors[0]!.keys()];
  const thresholds = modelScopeThresholds(
    vectors,
    vectors.map(() => density),
  );
  const trimmed = new Map(
    names.map((name) => [
      name,
      vectors.map((v, m) => sparsify(v.get(name)!.data, trimOptions(name, m, thresholds[m]!))),
    ]),
  );
  // The majority-sign pass: Σ sign(S) over every entry of the model.
  let signSum = 0;
  for (const wd of trimmed.values()) {
    const n = wd[0]!.length;
    for (let i = 0; i < n; i++) signSum += Math.sign(electionSum(wd, i, 'sum'));
  }
  const majority = Math.sign(signSum);
  const out = vectors.map((): Params => new Map());
  for (const name of names) {
    const wd = trimmed.get(name)!;
    const n = wd[0]!.length;
    const sign = new Float32Array(n);
    for (let i = 0; i < n; i++)
      sign[i] = electedSign(electionSum(wd, i, 'sum'), 'majority', majority);
    wd.forEach((kept, m) => {
      const data = kept.map((x, i) => (x * sign[i]! > 0 ? x : 0));
      out[m]!.set(name, { shape: vectors[m]!.get(name)!.shape, data });
    });
  }
  return out;
}
