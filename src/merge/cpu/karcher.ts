/**
 * mergekit's karcher (merge_methods/karcher.py): the Riemannian (Karcher) mean of the models'
 * unit vectors, equal weights, at most max_iter steps of size ‖step‖ until ‖step‖ < tol,
 * scaled by the mean norm. Models with ‖τ‖ ≤ tol are left out of the mean.
 *
 * Streamed in one read: every iterate u is a combination Σᵢ aᵢ·τᵢ/‖τᵢ‖ of the unit vectors (it
 * starts as their weighted mean, and each step adds Σᵢ cᵢ(τᵢ/‖τᵢ‖ − dotᵢ·u)), so every dot and
 * norm the iteration needs is a quadratic form in their Gram matrix. The read sums the Gram
 * matrix ⟨τᵢ, τⱼ⟩ in element order; the iteration then runs on K coefficients, and each chunk
 * is merged as s·Σᵢ aᵢτᵢ/‖τᵢ‖. mergekit iterates on the vectors themselves: the same
 * arithmetic up to rounding (the parity specs hold it to mergekit's fixtures at 1e-5).
 */
import type { StreamedMethod } from './streamed-methods';

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
const pair = (i: number, j: number, K: number) => i * K + j;

/** ‖Σᵢ aᵢ·unitᵢ‖² from the unit vectors' Gram matrix U (K×K, row-major). */
function quadratic(a: number[], U: number[], K: number): number {
  let s = 0;
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) s += a[i]! * a[j]! * U[pair(i, j, K)]!;
  return Math.max(s, 0);
}

/** (U·a)ᵢ: the dot of Σⱼ aⱼ·unitⱼ with unit i. */
const dotWith = (a: number[], U: number[], K: number, i: number) =>
  a.reduce((s, aj, j) => s + aj * U[pair(i, j, K)]!, 0);

/** The iterate's coefficients on the unit vectors, from the Gram matrix G of the τᵢ. */
function karcherCoefficients(G: number[], K: number, maxIter: number, tol: number) {
  const norms = Array.from({ length: K }, (_, i) => Math.sqrt(G[pair(i, i, K)]!));
  const valid = norms.map((n) => n > tol);
  const U = G.map((g, at) => {
    const [i, j] = [Math.floor(at / K), at % K];
    return valid[i] && valid[j] ? g / (norms[i]! * norms[j]!) : 0;
  });
  const count = valid.filter(Boolean).length;
  const weight = valid.map((v) => (v ? 1 / count : 0));
  let a = weight.slice();
  const normU = Math.sqrt(quadratic(a, U, K));
  if (normU < tol) a = valid.map((_, i) => (i === valid.indexOf(true) ? 1 : 0));
  else a = a.map((x) => x / normU);
  for (let it = 0; it < maxIter; it++) {
    const step = new Array<number>(K).fill(0);
    for (let i = 0; i < K; i++) {
      if (!valid[i]) continue;
      const dot = Math.min(1, Math.max(-1, dotWith(a, U, K, i)));
      const theta = Math.acos(dot);
      if (theta < tol) continue;
      const c = (weight[i]! * theta) / Math.sin(theta);
      step[i] = step[i]! + c;
      for (let j = 0; j < K; j++) step[j] = step[j]! - c * dot * a[j]!;
    }
    const normT = Math.sqrt(quadratic(step, U, K));
    if (normT < tol) break;
    a = a.map((x, j) => Math.cos(normT) * x + Math.sin(normT) * (step[j]! / normT));
    const n = Math.sqrt(quadratic(a, U, K));
    if (n > tol) a = a.map((x) => x / n);
  }
  const scale = norms.reduce((s, n) => s + n / K, 0);
  // Per τᵢ (not unit): s·aᵢ/‖τᵢ‖; models left out of the mean contribute nothing.
  return a.map((x, i) => (valid[i] ? (scale * x) / norms[i]! : 0));
}

/** One read of the Gram matrix (stats[0], K×K), closed into the K merge coefficients. */
export const karcherMethod: StreamedMethod = {
  passes: (_job, models) => (models === 1 ? 0 : 1),
  init: (_job, _pass, models) => new Array<number>(models * models).fill(0),
  add(_job, _pass, { taus }, stats) {
    const K = taus.length;
    const G = stats[0]!;
    for (let i = 0; i < K; i++) {
      for (let j = i; j < K; j++) {
        const [x, y] = [taus[i]!, taus[j]!];
        let s = G[pair(i, j, K)]!;
        for (let e = 0; e < x.length; e++) s += x[e]! * y[e]!;
        G[pair(i, j, K)] = s;
        G[pair(j, i, K)] = s;
      }
    }
  },
  close(job, _pass, stats) {
    const K = job.perModel.length;
    stats[0] = karcherCoefficients(
      stats[0]!,
      K,
      num(job.global.max_iter, 10),
      num(job.global.tol, 1e-5),
    );
  },
  merge(_job, { taus }, stats) {
    if (taus.length === 1) return Float32Array.from(taus[0]!);
    const coefficients = stats[0]!;
    const out = new Float32Array(taus[0]!.length);
    for (let e = 0; e < out.length; e++) {
      let v = 0;
      for (let i = 0; i < taus.length; i++) v += coefficients[i]! * taus[i]![e]!;
      out[e] = v;
    }
    return out;
  },
};
