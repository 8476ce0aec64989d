/**
 * Singular value decompositions for the SVD-based merges (TSV-M, Iso-C, Iso-CTS, CART).
 *
 * - exactSvd: the thin SVD from ml-matrix (Golub–Kahan, float64), for the full spectrum of
 *   small matrices and for the small dense factors of everything else.
 * - topSvd: the k leading triplets. Exact when the matrix is small or k is a large share of
 *   its rank; otherwise a randomised range finder (Halko, Martinsson & Tropp 2011, alg. 4.4):
 *   a Gaussian sketch of k + oversample columns, `powerIterations` rounds of
 *   re-orthonormalised power iteration, then the exact SVD of the small projected matrix.
 *   The big matrix stays float32; every product accumulates in float64.
 * - polarFactor: U·Vᵀ of a thin SVD (the nearest matrix with orthonormal columns), the
 *   "orthogonalisation" of TSV-M and Iso-CTS.
 *
 * Singular vectors are determined up to sign (and rotation within repeated singular
 * values); every merge uses them in products that are invariant to that.
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import {
  columns,
  gaussian,
  matmul,
  matmulNT,
  matmulTN,
  orthonormalizeColumns,
  zeros,
  type Mat,
  type Values,
} from './dense';

/** a = u · diag(s) · vᵀ with u: m × r, v: n × r, s descending (r = the number kept). */
export interface Svd {
  u: Mat;
  s: Float64Array;
  v: Mat;
}

export interface TopSvdOptions {
  /** Extra sketch columns beyond k (Halko et al. suggest 5–10). */
  oversample?: number;
  /** Power iterations (each costs two passes over the matrix). */
  powerIterations?: number;
  seed?: number;
  /**
   * Matrices whose smaller side is at most this are decomposed exactly (ml-matrix's SVD
   * costs O(m·n·r) in JavaScript: ≈ 1 s at 512 × 512).
   */
  exactMaxRank?: number;
}

const DEFAULTS = { oversample: 10, powerIterations: 4, seed: 0x5eed, exactMaxRank: 512 };

function toMatrix(a: Mat<Values>): Matrix {
  return Matrix.from1DArray(a.rows, a.cols, a.data);
}

function fromMatrix(m: Matrix, cols = m.columns): Mat {
  const out = zeros(m.rows, cols);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < cols; j++) out.data[i * cols + j] = m.get(i, j);
  }
  return out;
}

/**
 * Short sides above this go through the Gram matrix's eigendecomposition (gramSvd) instead of
 * ml-matrix's SVD: 768 × 3072 took 226 s through the SVD and ≈ 25 s through the Gram matrix
 * (its products and ml-matrix's symmetric eigensolver) on this machine.
 */
export const GRAM_MIN_RANK = 256;

/** The thin SVD (r = min(m, n) triplets), or the first `k` of them. */
export function exactSvd(a: Mat<Values>, k = Math.min(a.rows, a.cols)): Svd {
  if (a.rows === 0 || a.cols === 0) {
    return { u: zeros(a.rows, 0), s: new Float64Array(0), v: zeros(a.cols, 0) };
  }
  if (Math.min(a.rows, a.cols) > GRAM_MIN_RANK) return gramSvd(a, k);
  return librarySvd(a, k);
}

/** ml-matrix's thin SVD (Golub–Kahan), the first k triplets. */
export function librarySvd(a: Mat<Values>, k = Math.min(a.rows, a.cols)): Svd {
  const svd = new SingularValueDecomposition(toMatrix(a), { autoTranspose: true });
  const r = Math.min(k, svd.diagonal.length);
  return {
    u: fromMatrix(svd.leftSingularVectors, r),
    s: Float64Array.from(svd.diagonal.slice(0, r)),
    v: fromMatrix(svd.rightSingularVectors, r),
  };
}

/** How topSvd decomposes an m × n matrix for k triplets: exactly, or with l sketch columns. */
export function topSvdPlan(rows: number, cols: number, k: number, options: TopSvdOptions = {}) {
  const o = { ...DEFAULTS, ...options };
  const r = Math.min(rows, cols);
  const kk = Math.max(0, Math.min(k, r));
  const l = Math.min(r, kk + o.oversample);
  const exact = kk > 0 && (r <= o.exactMaxRank || 2 * l >= r);
  return { ...o, k: kk, l, exact };
}

/** The two products the range finder needs of a big matrix a (m × n). */
export interface MatrixProducts<R> {
  rows: number;
  cols: number;
  /** a · x (x: n × l). */
  times(x: Mat): R;
  /** aᵀ · y (y: m × l). */
  transposeTimes(y: Mat): R;
}

/**
 * The randomised range finder's steps as a generator: it yields each product it needs
 * (`['a', x]` for a·x, `['at', y]` for aᵀ·y) and is resumed with the result, so the CPU runs
 * it synchronously and the GPU backend awaits its device products in between.
 */
export function* rangeFinder(
  cols: number,
  plan: ReturnType<typeof topSvdPlan>,
): Generator<['a' | 'at', Mat], Svd, Mat> {
  // Range of a: Q (m × l) with a ≈ Q Qᵀ a.
  let q = orthonormalizeColumns(yield ['a', gaussian(cols, plan.l, plan.seed)]);
  for (let it = 0; it < plan.powerIterations; it++) {
    const z = orthonormalizeColumns(yield ['at', q]); // n × l
    q = orthonormalizeColumns(yield ['a', z]);
  }
  // b = Qᵀ a (l × n); its SVD through bᵀ = Q₂ R (n × l, l × l), R = Q₂ᵀ bᵀ.
  const bt = yield ['at', q]; // aᵀ Q = bᵀ, n × l
  const q2 = orthonormalizeColumns({ rows: bt.rows, cols: bt.cols, data: bt.data.slice() });
  const small = matmulTN(bt, q2); // (Q₂ᵀ bᵀ)ᵀ = b Q₂, l × l
  // b Q₂ = Uᵣ S Vᵣᵀ  ⇒  b = Uᵣ S (Q₂ Vᵣ)ᵀ, a ≈ (Q Uᵣ) S (Q₂ Vᵣ)ᵀ.
  const svd = exactSvd(small, plan.k);
  return { u: matmul(q, svd.u), s: svd.s, v: matmul(q2, svd.v) };
}

const emptySvd = (rows: number, cols: number): Svd => ({
  u: zeros(rows, 0),
  s: new Float64Array(0),
  v: zeros(cols, 0),
});

/** The k leading singular triplets of a (k ≤ min(m, n)). */
export function topSvd(a: Mat<Values>, k: number, options: TopSvdOptions = {}): Svd {
  const plan = topSvdPlan(a.rows, a.cols, k, options);
  if (plan.k === 0) return emptySvd(a.rows, a.cols);
  if (plan.exact) return exactSvd(a, plan.k);
  const steps = rangeFinder(a.cols, plan);
  let step = steps.next(zeros(0, 0));
  while (!step.done) {
    const [which, x] = step.value;
    step = steps.next(which === 'a' ? matmul(a, x) : matmulTN(a, x));
  }
  return step.value;
}

/** topSvd with the big products from `products` (the GPU's), everything else as topSvd. */
export async function topSvdWith(
  a: Mat<Values>,
  k: number,
  products: () => MatrixProducts<Promise<Mat>> & { dispose?(): Promise<void> },
  options: TopSvdOptions = {},
): Promise<Svd> {
  const plan = topSvdPlan(a.rows, a.cols, k, options);
  if (plan.k === 0) return emptySvd(a.rows, a.cols);
  if (plan.exact) return exactSvd(a, plan.k);
  const p = products();
  try {
    const steps = rangeFinder(a.cols, plan);
    let step = steps.next(zeros(0, 0));
    while (!step.done) {
      const [which, x] = step.value;
      step = steps.next(await (which === 'a' ? p.times(x) : p.transposeTimes(x)));
    }
    return step.value;
  } finally {
    await p.dispose?.();
  }
}

/**
 * The k leading triplets from the eigendecomposition of the smaller Gram matrix (a·aᵀ or aᵀ·a,
 * float64): σ = √λ, the other side's vectors a·v/σ (or aᵀ·u/σ). Singular values below
 * 1e-10·σ₁ get zero vectors on that side (their directions are not determined by the Gram
 * matrix in float64; they weigh nothing in a reconstruction). Relative accuracy of σᵢ is
 * ≈ ε·(σ₁/σᵢ)², ample for the leading triplets the merges use.
 */
export function gramSvd(a: Mat<Values>, k = Math.min(a.rows, a.cols)): Svd {
  const wide = a.rows <= a.cols;
  const gram = wide ? matmulNT(a, a) : matmulTN(a, a);
  const { vectors, values } = symmetricEigen(gram);
  const r = gram.rows;
  const kk = Math.min(k, r);
  const near = zeros(r, kk); // u (wide) or v (tall)
  const s = new Float64Array(kk);
  for (let j = 0; j < kk; j++) {
    s[j] = Math.sqrt(Math.max(values[j]!, 0));
    for (let i = 0; i < r; i++) near.data[i * kk + j] = vectors.data[i * r + j]!;
  }
  // The far side: aᵀ·u/σ (wide) or a·v/σ (tall).
  const far = wide ? matmulTN(a, near) : matmul(a, near);
  const cutoff = 1e-10 * (s[0] ?? 0);
  for (let i = 0; i < far.rows; i++) {
    for (let j = 0; j < kk; j++) {
      const at = i * kk + j;
      far.data[at] = s[j]! > cutoff ? far.data[at]! / s[j]! : 0;
    }
  }
  return wide ? { u: near, s, v: far } : { u: far, s, v: near };
}

/** Eigenvalues (descending) and eigenvectors (columns) of a symmetric matrix (ml-matrix). */
export function symmetricEigen(g: Mat): { values: Float64Array; vectors: Mat } {
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(g.rows, g.cols, g.data), {
    assumeSymmetric: true,
  });
  const raw = evd.realEigenvalues;
  const order = raw.map((_, i) => i).sort((x, y) => raw[y]! - raw[x]!);
  const vecs = evd.eigenvectorMatrix;
  const n = g.rows;
  const vectors = zeros(n, n);
  order.forEach((src, j) => {
    for (let i = 0; i < n; i++) vectors.data[i * n + j] = vecs.get(i, src);
  });
  return { values: Float64Array.from(order, (i) => raw[i]!), vectors };
}

/**
 * U·Vᵀ of a's thin SVD: the orthonormal-column matrix nearest to a (m × p). For p above
 * GRAM_MIN_RANK: a·(aᵀa)^(−1/2) from the eigendecomposition of aᵀa, directions with
 * λ < 1e-20·λ₁ left out (the pseudo-inverse root: a rank-deficient a's polar factor is not
 * unique there, and the merges multiply those columns by zero singular values).
 */
export function polarFactor(a: Mat<Values>): Mat {
  if (a.cols <= GRAM_MIN_RANK || a.rows < a.cols) {
    const { u, v } = exactSvd(a);
    return matmulNT(u, v);
  }
  const { values, vectors } = symmetricEigen(matmulTN(a, a));
  const p = a.cols;
  const floor = 1e-20 * Math.max(values[0] ?? 0, 0);
  const scaled = zeros(p, p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const l = values[j]!;
      scaled.data[i * p + j] = l > floor ? vectors.data[i * p + j]! / Math.sqrt(l) : 0;
    }
  }
  return matmul(a, matmulNT(scaled, vectors));
}

/** u_k · diag(s_k) · v_kᵀ for the first k triplets (all when k is omitted), m × n. */
export function reconstruct(svd: Svd, k = svd.s.length, scale?: Float64Array): Mat {
  const m = svd.u.rows;
  const r = svd.u.cols;
  const us = zeros(m, k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      us.data[i * k + j] = svd.u.data[i * r + j]! * (scale ? scale[j]! : svd.s[j]!);
    }
  }
  return matmulNT(us, svd.v.cols === k ? svd.v : columns(svd.v, 0, k));
}
