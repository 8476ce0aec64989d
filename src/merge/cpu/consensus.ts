/**
 * TIES sign election. Elected sign per element from the weighted, sparsified deltas WDₜ:
 * `sum` uses S = Σₜ WDₜ (summed in f32, model order), `count` uses S = Σₜ sign(WDₜ).
 * Zero rule `positive` (mergekit): S ≥ 0 → +1 else −1. Zero rule `majority` (official TIES):
 * sign(S), and S = 0 takes the model-wide majority sign; if that is 0 too the element acts as
 * −1 (the official code's `where(sign > 0, τ > 0, τ < 0)`). A zero WD never matches a sign.
 */
import type { Consensus, ZeroSignRule } from '../backend';

/** Raw election statistic S for element i (before the zero rule). */
export function electionSum(wd: Float32Array[], i: number, consensus: Consensus): number {
  let acc = 0;
  for (const column of wd) {
    const v = column[i] as number;
    acc = Math.fround(acc + (consensus === 'count' ? Math.sign(v) : v));
  }
  return acc;
}

export function electedSign(s: number, rule: ZeroSignRule, majoritySign: number): 1 | -1 {
  if (rule === 'positive') return s >= 0 ? 1 : -1;
  if (s > 0) return 1;
  if (s < 0) return -1;
  return majoritySign > 0 ? 1 : -1;
}

/** Σ over the tensor of sign(S): the executor adds these over all merged tensors and takes
 * the sign to get the model-wide majority sign of the official TIES zero rule. */
export function signSumOf(wd: Float32Array[], numel: number, consensus: Consensus): number {
  let total = 0;
  for (let i = 0; i < numel; i++) total += Math.sign(electionSum(wd, i, consensus));
  return total;
}
