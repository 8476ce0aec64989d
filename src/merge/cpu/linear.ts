/** Linear (weighted average): out = Σ wᵢθᵢ (f32, model order), / Σ wᵢ when normalize
 * (|Σ wᵢ| < 1e-8 → 1, as the task-arithmetic divisor guard). */
import type { LinearJob } from '../backend';
import { unpackToF32 } from './unpack';

const f = Math.fround;

export function mergeLinear(job: LinearJob): Float32Array {
  const models = job.models.map((raw, m) =>
    unpackToF32(raw, job.numel, `${job.tensorName} (model ${m})`),
  );
  const weights = models.map((_, m) => f(job.weights[m] ?? 1));
  let div = 0;
  for (const w of weights) div = f(div + w);
  if (Math.abs(div) < 1e-8) div = 1;
  const out = new Float32Array(job.numel);
  for (let i = 0; i < job.numel; i++) {
    let acc = 0;
    for (let m = 0; m < models.length; m++) {
      acc = f(acc + f((weights[m] as number) * (models[m]![i] as number)));
    }
    out[i] = job.normalize ? acc / div : acc;
  }
  return out;
}
