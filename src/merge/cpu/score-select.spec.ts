import { describe, expect, it } from 'vitest';
import type { TensorMethodJob } from '../backend';
import {
  addScores,
  closeDigit,
  initialStates,
  newHistograms,
  selected,
  SCORE_DIGITS,
} from './score-select';
import { mergeTensorMethod, methodInputs, streamedMethod } from './tensor-methods';

/** Deterministic values in [0, 1). */
function uniform(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function chunksOf<T extends { length: number; slice(a: number, b: number): T }>(
  values: T,
  size: number,
) {
  const out: T[] = [];
  for (let at = 0; at < values.length; at += size) out.push(values.slice(at, at + size));
  return out;
}

/** The selection driven as the streamed methods drive it: one read per digit. */
function select(chunks: Float64Array[], ranks: number[]) {
  let states = initialStates(ranks);
  for (let p = 0; p < SCORE_DIGITS; p++) {
    const hist = newHistograms(ranks.length);
    for (const c of chunks) addScores(c, p, states, hist);
    states = closeDigit(p, states, hist);
  }
  return ranks.map((_, q) => selected(states, q));
}

describe('exact order statistics of f64 scores over chunks', () => {
  it('finds the value a descending sort puts at rank k, and its rank among its ties', () => {
    const rand = uniform(7);
    // Negatives, ±0, infinities, many duplicates and near-equal values.
    const pool = [-Infinity, -3.5, -1e-300, -0, 0, 1e-300, 0.1, 0.1 + 2 ** -56, 2, Infinity];
    const values = Float64Array.from({ length: 997 }, () =>
      rand() < 0.5 ? pool[Math.floor(rand() * pool.length)]! : (rand() - 0.5) * 1e3,
    );
    const sorted = Array.from(values).sort((a, b) => b - a);
    const ranks = [1, 2, 17, 333, 500, 996, 997];
    for (const size of [1, 5, 64, 997]) {
      const got = select(chunksOf(values, size), ranks);
      ranks.forEach((k, q) => {
        const value = sorted[k - 1]!;
        expect(got[q]!.value === value, `rank ${k} in chunks of ${size}`).toBe(true);
        expect(got[q]!.ties).toBe(k - sorted.filter((v) => v > value).length);
      });
    }
  });

  it('rank 0 selects nothing', () => {
    expect(select([Float64Array.of(1, 2)], [0])[0]).toEqual({ value: Infinity, ties: 0 });
  });
});

const f32Raw = (v: Float32Array) => ({ dtype: 'F32' as const, bytes: new Uint8Array(v.buffer) });

function sceJob(base: Float32Array, models: Float32Array[], topk: number): TensorMethodJob {
  return {
    kind: 'tensor_method',
    method: 'sce',
    tensorName: 'w',
    shape: [base.length],
    numel: base.length,
    hasBase: true,
    base: f32Raw(base),
    models: models.map(f32Raw),
    global: { select_topk: topk },
    perModel: models.map(() => ({})),
  };
}

/** The executor's streamed run of one job: every pass over chunks of `size`, then the merge. */
function streamed(job: TensorMethodJob, size: number): Float32Array {
  const method = streamedMethod(job)!;
  const chunks: TensorMethodJob[] = [];
  const raws = [job.base!, ...job.models];
  for (let begin = 0; begin < job.numel; begin += size) {
    const end = Math.min(begin + size, job.numel);
    const [base, ...models] = raws.map((r) =>
      f32Raw(new Float32Array(r.bytes.buffer).slice(begin, end)),
    );
    chunks.push({
      ...job,
      base,
      models,
      numel: end - begin,
      shape: [end - begin],
      elementOffset: begin,
      tensorShape: job.shape,
    });
  }
  const stats: number[][] = [];
  for (let pass = 0; pass < method.passes(job, job.models.length); pass++) {
    stats[pass] = method.init?.(job, pass, job.models.length) ?? [];
    for (const c of chunks) method.add?.(c, pass, methodInputs(c), stats);
    method.close?.(job, pass, stats, job.numel);
  }
  const out = new Float32Array(job.numel);
  for (const c of chunks)
    out.set(mergeTensorMethod({ ...c, statistics: stats }).merged, c.elementOffset!);
  return out;
}

/** mergekit's SCE top-k by a sort (equal variances by index), then the masked combine. */
function sceBySort(base: Float32Array, models: Float32Array[], topk: number): Float32Array {
  const taus = models.map((m) => Float64Array.from(m, (x, e) => x - base[e]!));
  const d = base.length;
  const variance = Array.from({ length: d }, (_, e) => {
    const mean = taus.reduce((s, t) => s + t[e]!, 0) / taus.length;
    return taus.reduce((s, t) => s + (t[e]! - mean) ** 2, 0) / taus.length;
  });
  const k = Math.trunc(variance.filter((v) => v !== 0).length * topk);
  const order = variance.map((_, e) => e).sort((a, b) => variance[b]! - variance[a]! || a - b);
  const kept = new Set(order.slice(0, k));
  const masked = taus.map((t) => t.map((x, e) => (kept.has(e) ? x : 0)));
  const squares = masked.map((t) => t.reduce((s, x) => s + x * x, 0) / d);
  const total = squares.reduce((a, b) => a + b, 0);
  const w = squares.map((s) => s / total);
  return Float32Array.from(base, (b, e) => {
    const sign = masked.reduce((s, t) => s + t[e]!, 0) >= 0 ? 1 : -1;
    let [num, den] = [0, 0];
    masked.forEach((t, m) => {
      if (Math.sign(t[e]!) === sign) [num, den] = [num + t[e]! * w[m]!, den + w[m]!];
    });
    return b + num / Math.max(den, 1e-6);
  });
}

describe('SCE with a variance top-k, streamed', () => {
  it('keeps the same elements as a sort when many variances tie, in any chunking', () => {
    const rand = uniform(11);
    const d = 203;
    const base = Float32Array.from({ length: d }, () => rand() - 0.5);
    // Task vectors from {−1, 0, 1, 2}·0.25: few distinct variances, each with many ties.
    const models = [0, 1, 2].map(() =>
      Float32Array.from(base, (b) => b + 0.25 * (Math.floor(rand() * 4) - 1)),
    );
    for (const topk of [0.3, 0.5, 0.77]) {
      const job = sceJob(base, models, topk);
      const whole = mergeTensorMethod(job).merged;
      const reference = sceBySort(base, models, topk);
      let differ = 0;
      for (let e = 0; e < d; e++) if (Math.abs(whole[e]! - reference[e]!) > 1e-6) differ++;
      expect(differ, `top-k ${topk} against the sort`).toBe(0);
      for (const size of [1, 5, 64]) {
        expect(Buffer.from(streamed(job, size).buffer).equals(Buffer.from(whole.buffer))).toBe(
          true,
        );
      }
    }
  });
});
