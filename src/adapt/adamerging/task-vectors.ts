/**
 * Task vectors τₖ = θₖ − θ₀ over the merged (encoder) tensors, and AdaMerging++'s reduction of
 * each τₖ to its TIES-selected part (METHODS.md "AdaMerging"): trim each task's whole flattened
 * τ to its top-`density` magnitudes (model scope, ties at the threshold kept), elect a sign per
 * entry by mass (sign of Σₖ τ̂ₖ; an exact 0 takes the majority of the elected signs), keep only
 * the entries that agree with it. The kept entries are *not* summed: AdaMerging++ learns one λ
 * per task over them.
 */
import type { NamedArray } from '../../models/tensors';

export type Params = Map<string, NamedArray>;

/** Thrown when the inputs cannot be merged; names the task and tensor. */
export class AdaMergingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdaMergingInputError';
  }
}

/** τ for every base tensor not matching `isTaskSpecific`, in the base's order. */
export function taskVector(
  base: Params,
  tuned: Params,
  task: string,
  isTaskSpecific: (name: string) => boolean,
): Params {
  const out: Params = new Map();
  for (const [name, b] of base) {
    if (isTaskSpecific(name)) continue;
    const t = tuned.get(name);
    if (!t) throw new AdaMergingInputError(`task "${task}": tensor "${name}" is missing`);
    if (t.data.length !== b.data.length || t.shape.join() !== b.shape.join())
      throw new AdaMergingInputError(
        `task "${task}": tensor "${name}" has shape [${t.shape}], the base has [${b.shape}]`,
      );
    const d = new Float32Array(b.data.length);
    for (let i = 0; i < d.length; i++) d[i] = t.data[i]! - b.data[i]!;
    out.set(name, { shape: b.shape, data: d });
  }
  return out;
}

/** The smallest |x| among the k largest magnitudes of all tensors of one task vector. */
function modelScopeThreshold(vector: Params, density: number): number {
  let total = 0;
  for (const t of vector.values()) total += t.data.length;
  const k = Math.floor(density * total);
  if (k <= 0) return Infinity;
  const mags = new Float32Array(total);
  let at = 0;
  for (const t of vector.values()) {
    for (let i = 0; i < t.data.length; i++) mags[at++] = Math.abs(t.data[i]!);
  }
  mags.sort();
  return mags[total - k]!;
}

/** AdaMerging++: each τₖ reduced to its TIES-selected part (same tensors and shapes). */
export function tiesSelect(vectors: Params[], density: number): Params[] {
  const thresholds = vectors.map((v) => modelScopeThreshold(v, density));
  const names = [...(vectors[0]?.keys() ?? [])];
  const trimmed = vectors.map((v, k) => {
    const out: Params = new Map();
    for (const name of names) {
      const t = v.get(name)!;
      const th = thresholds[k]!;
      out.set(name, { shape: t.shape, data: t.data.map((x) => (Math.abs(x) >= th ? x : 0)) });
    }
    return out;
  });
  // Elect by mass; zeros of the sum are resolved by the majority of the elected signs.
  const elected = new Map<string, Float32Array>();
  let signSum = 0;
  for (const name of names) {
    const n = trimmed[0]!.get(name)!.data.length;
    const s = new Float32Array(n);
    for (const t of trimmed) {
      const d = t.get(name)!.data;
      for (let i = 0; i < n; i++) s[i]! += d[i]!;
    }
    for (let i = 0; i < n; i++) {
      s[i] = Math.sign(s[i]!);
      signSum += s[i]!;
    }
    elected.set(name, s);
  }
  const majority = Math.sign(signSum) || 1;
  return trimmed.map((t) => {
    const out: Params = new Map();
    for (const name of names) {
      const sign = elected.get(name)!;
      const d = t.get(name)!;
      out.set(name, {
        shape: d.shape,
        data: d.data.map((x, i) => (x !== 0 && Math.sign(x) === (sign[i] || majority) ? x : 0)),
      });
    }
    return out;
  });
}
