/**
 * Small, self-contained reference merges over the encoder (heads excluded) used by the zoo's
 * results script: weight averaging, task arithmetic, and TIES in both published flavours. The
 * studio's merge engine (src/merge) is the product; these exist so the zoo's table can be
 * produced and checked independently of it.
 */
import type { NamedArray } from '../models/tensors';

export type Params = Map<string, NamedArray>;

/** τ = θ_task − θ_base for every tensor `keep` accepts. */
export function taskVector(base: Params, tuned: Params, keep: (name: string) => boolean): Params {
  const out: Params = new Map();
  for (const [name, b] of base) {
    if (!keep(name)) continue;
    const t = tuned.get(name);
    if (!t || t.data.length !== b.data.length)
      throw new Error(`tensor "${name}" is missing or has another shape`);
    const d = new Float32Array(b.data.length);
    for (let i = 0; i < d.length; i++) d[i] = (t.data[i] ?? 0) - (b.data[i] ?? 0);
    out.set(name, { shape: b.shape, data: d });
  }
  return out;
}

/** θ₀ + Σ_k coefficients[k]·δ_k over the tensors of the deltas; other base tensors copied. */
export function applyDeltas(base: Params, deltas: Params[], coefficients: number[]): Params {
  const out: Params = new Map();
  for (const [name, b] of base) {
    const data = Float32Array.from(b.data);
    deltas.forEach((delta, k) => {
      const d = delta.get(name);
      const c = coefficients[k] ?? 0;
      if (d) for (let i = 0; i < data.length; i++) data[i] = (data[i] ?? 0) + c * (d.data[i] ?? 0);
    });
    out.set(name, { shape: b.shape, data });
  }
  return out;
}

export function taskArithmetic(base: Params, vectors: Params[], lambda: number): Params {
  return applyDeltas(
    base,
    vectors,
    vectors.map(() => lambda),
  );
}

/** Flattens a task vector over its tensors in sorted-name order (model scope). */
function flatten(vector: Params): Float32Array {
  const names = [...vector.keys()].sort();
  const total = names.reduce((n, name) => n + (vector.get(name)?.data.length ?? 0), 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const name of names) {
    const d = vector.get(name)!.data;
    out.set(d, at);
    at += d.length;
  }
  return out;
}

/** The k-th largest |x| (k ≥ 1). */
function kthLargestMagnitude(x: Float32Array, k: number): number {
  const mags = Float32Array.from(x, Math.abs).sort();
  return mags[Math.max(0, mags.length - k)] ?? 0;
}

export interface TiesOptions {
  /** Fraction of each task vector kept (model scope, ties at the threshold kept). */
  density: number;
  /** 'mean' = official TIES; 'sum' = AdaMerging / FusionBench. */
  disjoint: 'mean' | 'sum';
  lambda: number;
}

/**
 * TIES-merging, paper semantics: trim each τ to its top-`density` magnitudes over the whole
 * model; elect per entry the sign of Σ τ̂ (an exact 0 takes the majority sign of all elected
 * signs); merge the entries agreeing with the elected sign by disjoint mean (or sum);
 * θ = θ₀ + λ·merged.
 */
export function ties(base: Params, vectors: Params[], options: TiesOptions): Params {
  const names = [...(vectors[0]?.keys() ?? [])].sort();
  const flat = vectors.map(flatten);
  const n = flat[0]?.length ?? 0;
  const trimmed = flat.map((v) => {
    const k = Math.floor(options.density * v.length);
    const threshold = k > 0 ? kthLargestMagnitude(v, k) : Infinity;
    return v.map((x) => (Math.abs(x) >= threshold ? x : 0));
  });
  const elected = new Float32Array(n);
  let signSum = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const t of trimmed) s += t[i] ?? 0;
    elected[i] = Math.sign(s);
    signSum += elected[i] ?? 0;
  }
  const majority = Math.sign(signSum) || 1;
  const merged = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const sign = elected[i] || majority;
    let sum = 0;
    let count = 0;
    for (const t of trimmed) {
      const x = t[i] ?? 0;
      if (x !== 0 && Math.sign(x) === sign) {
        sum += x;
        count++;
      }
    }
    merged[i] = options.disjoint === 'mean' ? (count > 0 ? sum / count : 0) : sum;
  }
  const delta: Params = new Map();
  let at = 0;
  for (const name of names) {
    const b = base.get(name)!;
    delta.set(name, { shape: b.shape, data: merged.subarray(at, at + b.data.length) });
    at += b.data.length;
  }
  return applyDeltas(base, [delta], [options.lambda]);
}

/** Cosine similarity of two task vectors over all their tensors. */
export function cosine(a: Params, b: Params): number {
  const x = flatten(a);
  const y = flatten(b);
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i++) {
    dot += (x[i] ?? 0) * (y[i] ?? 0);
    nx += (x[i] ?? 0) ** 2;
    ny += (y[i] ?? 0) ** 2;
  }
  return dot / Math.sqrt(nx * ny || 1);
}

export function l2Norm(a: Params): number {
  let s = 0;
  for (const v of flatten(a)) s += v * v;
  return Math.sqrt(s);
}
