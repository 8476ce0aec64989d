/**
 * The task-arithmetic formulas of docs/merge.md written out per element, for specs: the
 * per-model reference steps (weightedDeltas: sparsify + weights), then election, divisor,
 * λ and scale. The fast paths (tiled TS loop, SIMD kernels) must give exactly these bits.
 */
import type { TaskArithmeticJob } from '../../backend';
import { electedSign } from '../consensus';
import { weightedDeltas } from '../task-arithmetic';

const f = Math.fround;

export function referenceTaskArithmetic(job: TaskArithmeticJob): Float32Array {
  const { base, wd } = weightedDeltas(job);
  const w = job.models.map((_, m) => f(job.weights[m] ?? 1));
  const out = new Float32Array(job.numel);
  for (let i = 0; i < job.numel; i++) {
    let mixed = 0;
    let div = 0;
    let s = 0;
    for (const col of wd) s = f(s + (job.consensus === 'count' ? Math.sign(col[i]!) : col[i]!));
    const sign = electedSign(s, job.zeroSign, job.majoritySign);
    wd.forEach((col, t) => {
      if (job.consensus === 'none' || Math.sign(col[i]!) === sign) {
        mixed = f(mixed + col[i]!);
        div = f(div + w[t]!);
      }
    });
    // mergekit's guard: a consensus divisor only when it is 0, a plain one below 1e-8.
    const tiny = job.consensus === 'none' ? Math.abs(div) < 1e-8 : div === 0;
    if (job.normalize) mixed = f(mixed / (tiny ? 1 : div));
    out[i] = base[i]! + f(f(mixed * f(job.lambda)) * f(job.deltaScale));
  }
  return out;
}
