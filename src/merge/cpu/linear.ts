/** Linear (weighted average): out = Σ wᵢθᵢ (f32, model order), / Σ wᵢ when normalize
 * (|Σ wᵢ| < 1e-8 → 1, as the task-arithmetic divisor guard). */
import { outputArray, type LinearJob } from '../backend';
import { mergeLinearBf16 } from './bf16';
import { f32View } from './unpack';

const f = Math.fround;

export function mergeLinear(job: LinearJob): Float32Array {
  if (job.computeDtype === 'BF16') return mergeLinearBf16(job);
  // Read-only views on the inputs (copies only where unaligned or not F32): a copy of every
  // input per chunk was garbage that Chromium collects lazily.
  const models = job.models.map((raw, m) =>
    f32View(raw, job.numel, `${job.tensorName} (model ${m})`),
  );
  const weights = models.map((_, m) => f(job.weights[m] ?? 1));
  let div = 0;
  for (const w of weights) div = f(div + w);
  if (Math.abs(div) < 1e-8) div = 1;
  const out = outputArray(job);
  for (let i = 0; i < job.numel; i++) {
    let acc = 0;
    for (let m = 0; m < models.length; m++) {
      acc = f(acc + f((weights[m] as number) * (models[m]![i] as number)));
    }
    out[i] = job.normalize ? acc / div : acc;
  }
  return out;
}
