/**
 * The last step of the whole-tensor task-arithmetic path (DARE, DELLA, row-wise bands, l1 or
 * inverse-density rescale): combine the weighted sparsified deltas WDₜ into θ₀ + mixed with
 * the election, divisor and scaling formulas of task-arithmetic.ts.
 *
 * Same tiles and branch-free selection as elementwise-ta.ts (a per-element loop over an
 * array of arrays was most of the time of these methods): election statistics per tile,
 * then 0/1 products instead of branches; elements whose sum comes out NaN or ±∞ are
 * recomputed with the reference's branches, so the result is the same, bit for bit.
 */
import type { TaskArithmeticJob } from '../backend';
import { electedSign, electionSum } from './consensus';
import { guardedDivisor } from './divisor';

const f = Math.fround;
const TILE = 4096;

export function combineWeighted(
  job: TaskArithmeticJob,
  base: Float32Array,
  wd: Float32Array[],
): Float32Array {
  const n = job.numel;
  const k = wd.length;
  const weights = Float32Array.from(wd, (_, m) => job.weights[m] ?? 1);
  const lambda = f(job.lambda);
  const scale = f(job.deltaScale);
  const none = job.consensus === 'none';
  const count = job.consensus === 'count';
  const { zeroSign, majoritySign, normalize } = job;
  let fixedDiv = 0;
  for (let t = 0; t < k; t++) fixedDiv = f(fixedDiv + weights[t]!);
  const out = new Float32Array(n);
  const acc = new Float32Array(TILE);
  const div = new Float32Array(TILE);
  const stat = new Float32Array(TILE);
  const sign = new Float32Array(TILE);

  for (let start = 0; start < n; start += TILE) {
    const len = Math.min(TILE, n - start);
    acc.fill(0, 0, len);
    if (none) {
      for (let t = 0; t < k; t++) {
        const x = wd[t]!;
        for (let i = 0, j = start; i < len; i++, j++) acc[i] = acc[i]! + x[j]!;
      }
      div.fill(fixedDiv, 0, len);
    } else {
      stat.fill(0, 0, len);
      for (let t = 0; t < k; t++) {
        const x = wd[t]!;
        if (count)
          for (let i = 0, j = start; i < len; i++, j++) stat[i] = stat[i]! + Math.sign(x[j]!);
        else for (let i = 0, j = start; i < len; i++, j++) stat[i] = stat[i]! + x[j]!;
      }
      for (let i = 0; i < len; i++) sign[i] = electedSign(stat[i]!, zeroSign, majoritySign);
      div.fill(0, 0, len);
      for (let t = 0; t < k; t++) {
        const x = wd[t]!;
        const w = weights[t]!;
        for (let i = 0, j = start; i < len; i++, j++) {
          const v = x[j]!;
          // 1 when Math.sign(v) === sign (never for ±0 or NaN); sums here are never −0.
          const m = +(v * sign[i]! > 0);
          acc[i] = acc[i]! + v * m;
          div[i] = div[i]! + w * m;
        }
      }
    }
    for (let i = 0, j = start; i < len; i++, j++) {
      let mixed = acc[i]!;
      if (mixed - mixed !== 0) {
        out[j] = exactElement(job, base, wd, weights, j, lambda, scale);
        continue;
      }
      if (normalize) {
        mixed = f(mixed / guardedDivisor(div[i]!, !none));
      }
      out[j] = base[j]! + f(f(mixed * lambda) * scale);
    }
  }
  return out;
}

/** The reference's per-element formula (the path for NaN / ±∞ sums). */
function exactElement(
  job: TaskArithmeticJob,
  base: Float32Array,
  wd: Float32Array[],
  weights: Float32Array,
  i: number,
  lambda: number,
  scale: number,
): number {
  let mixed = 0;
  let div = 0;
  if (job.consensus === 'none') {
    for (let t = 0; t < wd.length; t++) {
      mixed = f(mixed + wd[t]![i]!);
      div = f(div + weights[t]!);
    }
  } else {
    const sign = electedSign(electionSum(wd, i, job.consensus), job.zeroSign, job.majoritySign);
    for (let t = 0; t < wd.length; t++) {
      const v = wd[t]![i]!;
      if (Math.sign(v) === sign) {
        mixed = f(mixed + v);
        div = f(div + weights[t]!);
      }
    }
  }
  if (job.normalize) mixed = f(mixed / guardedDivisor(div, job.consensus !== 'none'));
  return base[i]! + f(f(mixed * lambda) * scale);
}
