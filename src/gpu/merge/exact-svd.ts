/**
 * The exact (full-spectrum) SVD of a big matrix with its O(m·n·r) products on WebGPU, for the
 * SVD merges that need every triplet or the exact top k (TSV-M, Iso-C, Iso-CTS, CART at high
 * rank). The CPU twin is src/merge/cpu/svd.ts gramSvd, whose Gram matrix is float64 throughout.
 *
 * 1. The short side's Gram matrix (a·aᵀ or aᵀ·a) on the device (f32 sums, blocks added in
 *    float64) and its eigendecomposition on the CPU (ml-matrix, float64): an orthonormal
 *    basis Q of that side, roughly aligned with its singular vectors. An f32 Gram matrix
 *    alone determines σᵢ only to ≈ ε·σ₁²/σᵢ (squaring the spectrum loses its tail).
 * 2. Rayleigh–Ritz in that basis: W = aᵀ·Q (or a·Q) on the device, then the eigen-
 *    decomposition of the small Wᵀ·W = Qᵀ·(a·aᵀ)·Q. Q is rotated before anything is squared,
 *    so Wᵀ·W is nearly diagonal: σ = √λ, the near side Q·R, the far side W·R/σ, for the first
 *    k eigenpairs.
 *
 * Step 2's products are compensated (matmul.ts `compensated`: TwoProduct + TwoSum, both
 * operands as f32 pairs): W's entries of a tail direction are sums that cancel from ≈ σ₁
 * down to σᵢ, so plain f32 sums leave them ≈ ε·σ₁/σᵢ off, and a method that weighs every tail
 * direction fully (Iso-C, Iso-CTS) or cuts a top k inside a flat tail (TSV-M) moved by up to
 * 2e-4 of its scale against the float64 CPU; compensated, ≈ 5e-8 (docs/merge.md). The float64
 * input (Iso-C's Σₜτₜ) goes up as f32 pairs for the same reason; step 1 needs only a basis,
 * so its Gram matrix stays plain.
 *
 * Memory: the matrix and W (each m·n f32 at most, twice that for a float64 matrix and for W's
 * pairs) on the device one after the other, the r × r Gram matrix and eigenvectors (float64)
 * and W (float64) on the host.
 */
import { matmul, symmetricEigen, zeros, columns, type Mat, type Svd } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { GpuMatrix } from './matmul';

/** Far-side vectors of singular values at or below this share of σ₁ are set to zero. */
const CUTOFF = 1e-10;

export async function gpuExactSvd(
  rt: GpuRuntime,
  a: Mat<Float32Array | Float64Array>,
  k = Math.min(a.rows, a.cols),
): Promise<Svd> {
  const wide = a.rows <= a.cols;
  const r = Math.min(a.rows, a.cols);
  const kk = Math.min(k, r);
  if (kk <= 0) return { u: zeros(a.rows, 0), s: new Float64Array(0), v: zeros(a.cols, 0) };
  const { basis, far } = await rangeAndImage(rt, a, wide);
  const w = new GpuMatrix(rt, far.data, far.rows, r, true);
  try {
    const { values, vectors } = symmetricEigen(await w.columnGram(true));
    const rotation = kk === r ? vectors : columns(vectors, 0, kk);
    const s = Float64Array.from(values.subarray(0, kk), (l) => Math.sqrt(Math.max(l, 0)));
    const farSide = await w.times(rotation, true);
    const floor = CUTOFF * (s[0] ?? 0);
    for (let i = 0; i < farSide.rows; i++) {
      for (let j = 0; j < kk; j++) {
        const at = i * kk + j;
        farSide.data[at] = s[j]! > floor ? farSide.data[at]! / s[j]! : 0;
      }
    }
    const nearSide = matmul(basis, rotation);
    return wide ? { u: nearSide, s, v: farSide } : { u: farSide, s, v: nearSide };
  } finally {
    await w.dispose();
  }
}

/**
 * Step 1 and W: the eigenvectors Q of the short side's Gram matrix (all r of them: an f32
 * Gram matrix cannot tell where a top-k subspace ends inside a flat noise floor, so the
 * Rayleigh–Ritz step gets the whole basis and the top k are chosen after it) and a's image.
 */
async function rangeAndImage(
  rt: GpuRuntime,
  a: Mat<Float32Array | Float64Array>,
  wide: boolean,
): Promise<{ basis: Mat; far: Mat }> {
  const onDevice = new GpuMatrix(rt, a.data, a.rows, a.cols, true);
  try {
    const { vectors: basis } = symmetricEigen(await onDevice.gram());
    const far = wide
      ? await onDevice.transposeTimes(basis, true)
      : await onDevice.times(basis, true);
    return { basis, far };
  } finally {
    await onDevice.dispose();
  }
}
