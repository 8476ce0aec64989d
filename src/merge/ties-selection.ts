/**
 * The TIES selection of official TIES and AdaMerging++, as an engine function over in-memory
 * task vectors: trim each τₖ to its top-`density` magnitudes over the whole model (the
 * executor's model-scope selector, ties at the threshold kept), elect a sign per entry by
 * mass (Σₖ τ̂ₖ in f32, model order) with an exact 0 taking the model-wide majority sign
 * (the executor's majority-sign pass), and keep the entries of each τ̂ₖ that agree with it.
 *
 * A TIES merge is θ₀ + λ·Σₖ (or the mean of) these selected vectors; AdaMerging++ learns one λ
 * per task (and tensor) over them instead of summing. The kernels are the CPU backend's, so
 * `ties` recipes with trim_scope: model and zero_sign: majority select the same entries, and
 * with `elect: unweighted` the engine merges through {@link agreeingEntries} itself (its
 * default elects on the weighted deltas, as mergekit does): an AdaMerging++ recipe re-runs.
 */
import type { Params } from '../core';
import type { Consensus, RawTensor, ZeroSignRule } from './backend';
import { electedSign, electionSum, signSumOf } from './cpu/consensus';
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
  for (const wd of trimmed.values()) signSum += signSumOf(wd, wd[0]!.length, 'sum');
  const majority = Math.sign(signSum);
  const out = vectors.map((): Params => new Map());
  for (const name of names) {
    agreeingEntries(trimmed.get(name)!, 'sum', 'majority', majority).forEach((data, m) => {
      out[m]!.set(name, { shape: vectors[m]!.get(name)!.shape, data });
    });
  }
  return out;
}

/**
 * One tensor's TIES selection from its trimmed task vectors τ̂ₖ (unweighted): the sign elected
 * per entry (S = Σₖ τ̂ₖ in f32, model order, or Σ sign for `count`; `zeroSign` for S = 0, with
 * the model-wide `majority`), and each τ̂ₖ with the entries that disagree with it set to 0.
 */
export function agreeingEntries(
  trimmed: Float32Array[],
  consensus: Exclude<Consensus, 'none'>,
  zeroSign: ZeroSignRule,
  majority: number,
): Float32Array[] {
  const n = trimmed[0]?.length ?? 0;
  const sign = new Float32Array(n);
  for (let i = 0; i < n; i++)
    sign[i] = electedSign(electionSum(trimmed, i, consensus), zeroSign, majority);
  return trimmed.map((kept) => kept.map((x, i) => (x * sign[i]! > 0 ? x : 0)));
}
