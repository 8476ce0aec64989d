/**
 * mergekit's nuslerp (merge_methods/nuslerp.py): t = w₁/(w₀ + w₁) (0.5 when |Σw| < 1e-6);
 * slerp of the two models (of their task vectors when a base is given, then + θ₀) over the
 * whole tensor (nuslerp_flatten, the default), per row (last dim), or per column
 * (nuslerp_row_wise); v̂ = v/max(‖v‖, 1e-7); |sin θ| < 1e-8 → lerp.
 *
 * Streamed in one read: per segment (the tensor, a row or a column) ‖v₀‖², ‖v₁‖² and v₀·v₁,
 * summed in element order, become the segment's two slerp coefficients; each chunk is then
 * c₀·v₀ + c₁·v₁ with its elements' segments found from their index in the tensor.
 */
import { rowLength } from './unpack';
import {
  chunkOffset,
  wholeTensor,
  type MethodTemplate,
  type StreamedMethod,
} from './streamed-methods';

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);

/** How element e maps to its segment: e / length (rows), e % count (columns) or 0. */
function segments(job: MethodTemplate) {
  const flatten = job.global.nuslerp_flatten !== false;
  const { shape, numel } = wholeTensor(job);
  if (flatten || shape.length < 2) return { count: 1, of: () => 0 };
  if (job.global.nuslerp_row_wise !== true) {
    const length = rowLength(shape, numel);
    return { count: numel / length, of: (e: number) => Math.floor(e / length) };
  }
  const count = numel / shape[0]!;
  return { count, of: (e: number) => e % count };
}

/** A segment's slerp coefficients from its sums (the flat path's formula per segment). */
function coefficients(n0sq: number, n1sq: number, dot: number, t: number): [number, number] {
  const n0 = Math.max(Math.sqrt(n0sq), 1e-7);
  const n1 = Math.max(Math.sqrt(n1sq), 1e-7);
  const theta = Math.acos(Math.min(1, Math.max(-1, dot / (n0 * n1))));
  const sin = Math.sin(theta);
  if (Math.abs(sin) < 1e-8) return [1 - t, t];
  return [Math.sin((1 - t) * theta) / sin, Math.sin(t * theta) / sin];
}

/** stats[0]: [‖v₀‖², ‖v₁‖², v₀·v₁] per segment, closed into [c₀, c₁] per segment. */
export const nuslerpMethod: StreamedMethod = {
  passes: () => 1,
  init: (job) => new Array<number>(3 * segments(job).count).fill(0),
  add(job, _pass, { taus }, stats) {
    const [v0, v1] = taus as [Float32Array, Float32Array];
    const seg = segments(job);
    const offset = chunkOffset(job);
    const acc = stats[0]!;
    for (let i = 0; i < v0.length; i++) {
      const s = 3 * seg.of(offset + i);
      acc[s] = acc[s]! + v0[i]! * v0[i]!;
      acc[s + 1] = acc[s + 1]! + v1[i]! * v1[i]!;
      acc[s + 2] = acc[s + 2]! + v0[i]! * v1[i]!;
    }
  },
  close(job, _pass, stats) {
    const [w0, w1] = [0, 1].map((m) => num(job.perModel[m]?.weight, 1)) as [number, number];
    const t = Math.abs(w0 + w1) < 1e-6 ? 0.5 : w1 / (w0 + w1);
    const acc = stats[0]!;
    const out: number[] = [];
    for (let s = 0; s < acc.length; s += 3)
      out.push(...coefficients(acc[s]!, acc[s + 1]!, acc[s + 2]!, t));
    stats[0] = out;
  },
  merge(job, { base, taus }, stats) {
    const [v0, v1] = taus as [Float32Array, Float32Array];
    const seg = segments(job);
    const offset = chunkOffset(job);
    const c = stats[0]!;
    const out = new Float32Array(v0.length);
    for (let i = 0; i < out.length; i++) {
      const s = 2 * seg.of(offset + i);
      const v = c[s]! * v0[i]! + c[s + 1]! * v1[i]!;
      out[i] = job.hasBase ? base[i]! + v : v;
    }
    return out;
  },
};
