/**
 * Consensus merging with TALL masks (f32 elementwise): τₜ = θₜ − θ₀, τ_MTL = Σ τₜ (model
 * order); mₜ = |τₜ| > λₜ·|τ_MTL − τₜ| (strict); keep = (Σ mₜ ≥ k); out = θ₀ + α·τ_MTL where
 * kept, θ₀ elsewhere. Compressed task models: θ₀ + mₜ⊙τ_MTL.
 */
import { outputArray, type ConsensusJob, type TensorResult } from '../backend';
import { f32View, taskVector } from './unpack';

const f = Math.fround;

export function mergeConsensus(job: ConsensusJob): TensorResult {
  // Read-only views on the inputs: only the task vectors are new arrays.
  const base = f32View(job.base, job.numel, `${job.tensorName} (base)`);
  const taus = job.models.map((raw, m) =>
    taskVector(base, f32View(raw, job.numel, `${job.tensorName} (model ${m})`)),
  );
  const lambdas = taus.map((_, t) => f(job.maskLambdas[t] ?? 0));
  const alpha = f(job.alpha);
  const merged = outputArray(job);
  const taskModels = job.emitTaskModels ? taus.map(() => new Float32Array(job.numel)) : undefined;
  for (let i = 0; i < job.numel; i++) {
    const b = base[i] as number;
    let mtl = 0;
    for (const tau of taus) mtl = f(mtl + (tau[i] as number));
    let votes = 0;
    for (let t = 0; t < taus.length; t++) {
      const tau = taus[t]![i] as number;
      const inMask = Math.abs(tau) > f((lambdas[t] as number) * Math.abs(f(mtl - tau)));
      if (inMask) votes++;
      if (taskModels) taskModels[t]![i] = inMask ? b + mtl : b;
    }
    merged[i] = votes >= job.k ? b + f(alpha * mtl) : b;
  }
  return taskModels ? { merged, taskModels } : { merged };
}
