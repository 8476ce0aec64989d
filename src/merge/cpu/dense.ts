/**
 * Small dense linear algebra in float64 for the SVD-based merges: row-major matrices,
 * products in cache-friendly loop order, and a tall-skinny orthonormalisation (classical
 * Gram–Schmidt run twice, which is as orthogonal as Householder QR to working precision).
 * The big operand of a product may be a Float32Array (a task vector as read), so a
 * 4096 × 14336 tensor is never widened to a 470 MB float64 copy.
 */

export type Values = Float32Array | Float64Array;

/** A rows × cols matrix, row-major. */
export interface Mat<T extends Values = Float64Array> {
  rows: number;
  cols: number;
  data: T;
}

export function zeros(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function transpose<T extends Values>(a: Mat<T>): Mat {
  const out = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  }
  return out;
}

function checkInner(what: string, a: number, b: number): void {
  if (a !== b) throw new Error(`${what}: inner dimensions differ (${a} vs ${b})`);
}

/**
 * a · b (a: m × k, b: k × n): i-k-j order, four rows of a at a time, so each row of b read
 * from memory updates four output rows (≈ 2× the one-row loop's speed in V8).
 */
export function matmul(a: Mat<Values>, b: Mat<Values>): Mat {
  checkInner('matmul', a.cols, b.rows);
  const { rows: m, cols: k } = a;
  const n = b.cols;
  const out = new Float64Array(m * n);
  const ad = a.data;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    for (let p = 0; p < k; p++) {
      const [s0, s1, s2, s3] = [
        ad[i * k + p]!,
        ad[(i + 1) * k + p]!,
        ad[(i + 2) * k + p]!,
        ad[(i + 3) * k + p]!,
      ];
      addRows4(out, i, n, s0, s1, s2, s3, b.data, p * n);
    }
  }
  for (; i < m; i++) for (let p = 0; p < k; p++) addRow(out, i, n, ad[i * k + p]!, b.data, p * n);
  return { rows: m, cols: n, data: out };
}

/** aᵀ · b (a: k × m, b: k × n) without forming aᵀ; four columns of a at a time. */
export function matmulTN(a: Mat<Values>, b: Mat<Values>): Mat {
  checkInner('matmulTN', a.rows, b.rows);
  const k = a.rows;
  const m = a.cols;
  const n = b.cols;
  const out = new Float64Array(m * n);
  const ad = a.data;
  for (let p = 0; p < k; p++) {
    const at = p * m;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      addRows4(
        out,
        i,
        n,
        ad[at + i]!,
        ad[at + i + 1]!,
        ad[at + i + 2]!,
        ad[at + i + 3]!,
        b.data,
        p * n,
      );
    }
    for (; i < m; i++) addRow(out, i, n, ad[at + i]!, b.data, p * n);
  }
  return { rows: m, cols: n, data: out };
}

/** Output rows i … i+3 (width n) += s₀ … s₃ times b's row starting at r: both products' inner loop. */
function addRows4(
  out: Float64Array,
  i: number,
  n: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  bd: Values,
  r: number,
): void {
  const o0 = i * n;
  const o1 = o0 + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  for (let j = 0; j < n; j++) {
    const x = bd[r + j]!;
    out[o0 + j] = out[o0 + j]! + s0 * x;
    out[o1 + j] = out[o1 + j]! + s1 * x;
    out[o2 + j] = out[o2 + j]! + s2 * x;
    out[o3 + j] = out[o3 + j]! + s3 * x;
  }
}

/** Output row i += s times b's row starting at r. */
function addRow(out: Float64Array, i: number, n: number, s: number, bd: Values, r: number): void {
  const o = i * n;
  for (let j = 0; j < n; j++) out[o + j] = out[o + j]! + s * bd[r + j]!;
}

/** a · bᵀ (a: m × k, b: n × k): dot products of rows, two by two. */
export function matmulNT(a: Mat<Values>, b: Mat<Values>): Mat {
  checkInner('matmulNT', a.cols, b.cols);
  const m = a.rows;
  const k = a.cols;
  const n = b.rows;
  const out = new Float64Array(m * n);
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const a0 = i * k;
    const a1 = two ? a0 + k : a0;
    for (let j = 0; j < n; j += 2) {
      const pair = j + 1 < n;
      const b0 = j * k;
      const b1 = pair ? b0 + k : b0;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = ad[a0 + p]!;
        const x1 = ad[a1 + p]!;
        const y0 = bd[b0 + p]!;
        const y1 = bd[b1 + p]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      out[i * n + j] = s00;
      if (pair) out[i * n + j + 1] = s01;
      if (two) {
        out[(i + 1) * n + j] = s10;
        if (pair) out[(i + 1) * n + j + 1] = s11;
      }
    }
  }
  return { rows: m, cols: n, data: out };
}

/**
 * An orthonormal basis of the columns of a (m × l, l ≤ m), in place: classical Gram–Schmidt
 * twice per column ("twice is enough", Giraud et al. 2005). A column that is numerically
 * in the span of the previous ones is replaced by zeros (rank-deficient sketches).
 */
export function orthonormalizeColumns(a: Mat): Mat {
  const { rows: m, cols: l, data } = a;
  const col = new Float64Array(m);
  const coef = new Float64Array(l);
  for (let j = 0; j < l; j++) {
    for (let i = 0; i < m; i++) col[i] = data[i * l + j]!;
    const before = norm(col);
    for (let pass = 0; pass < 2; pass++) {
      coef.fill(0, 0, j);
      for (let i = 0; i < m; i++) {
        const v = col[i]!;
        const r = i * l;
        for (let q = 0; q < j; q++) coef[q] = coef[q]! + data[r + q]! * v;
      }
      for (let i = 0; i < m; i++) {
        let v = col[i]!;
        const r = i * l;
        for (let q = 0; q < j; q++) v -= data[r + q]! * coef[q]!;
        col[i] = v;
      }
    }
    const after = norm(col);
    const scale = after > 1e-12 * Math.max(before, Number.MIN_VALUE) ? 1 / after : 0;
    for (let i = 0; i < m; i++) data[i * l + j] = col[i]! * scale;
  }
  return a;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** Columns [begin, end) of a (of rows [rowBegin, rowEnd)). */
export function columns(a: Mat, begin: number, end: number, rowBegin = 0, rowEnd = a.rows): Mat {
  const w = end - begin;
  const out = zeros(rowEnd - rowBegin, w);
  for (let i = rowBegin; i < rowEnd; i++) {
    out.data.set(a.data.subarray(i * a.cols + begin, i * a.cols + end), (i - rowBegin) * w);
  }
  return out;
}

/** Deterministic standard normal samples (mulberry32 + Box–Muller), for sketches. */
export function gaussian(rows: number, cols: number, seed: number): Mat {
  let state = seed >>> 0 || 0x9e3779b9;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = zeros(rows, cols);
  for (let i = 0; i < out.data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const phi = 2 * Math.PI * uniform();
    out.data[i] = r * Math.cos(phi);
    if (i + 1 < out.data.length) out.data[i + 1] = r * Math.sin(phi);
  }
  return out;
}
