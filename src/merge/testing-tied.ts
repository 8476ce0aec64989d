/**
 * Heavily tied BF16 inputs, as BF16 fine-tunes give them: a BF16 base and fine-tunes
 * bf16(θ₀ + δ) with δ from a few levels (±1/64, ±2/64, ±3/64), so most |δ| share a handful of
 * values and a magnitude trim's k-th largest is tied with thousands of entries. No δ is 0
 * (|θ₀| ≤ 1, so the bf16 step is at most 2^-8). For the exactly-k specs of every backend.
 */
import { bf16ToF32, f32ToBf16, memorySource, openSingleCheckpoint, type Checkpoint } from '../io';
import { makeValidSafetensors } from '../io/testing/safetensors-builder';
import type { RawTensor, TaskArithmeticJob } from './backend';
import { mix32 } from './random';

function uniform(seed: number): () => number {
  let i = 0;
  return () => mix32((mix32(seed >>> 0) + i++) >>> 0) / 4294967296;
}

/** bf16-rounded values as f32 numbers: the base, then each fine-tune. */
export function tiedValues(numel: number, models: number, seed: number): Float32Array[] {
  const rnd = uniform(seed);
  const bf = (x: number) => bf16ToF32(f32ToBf16(x));
  const base = Float32Array.from({ length: numel }, () => bf(rnd() * 2 - 1));
  const tuned = Array.from({ length: models }, () =>
    base.map((b) => {
      const level = (1 + Math.floor(rnd() * 3)) / 64;
      return bf(b + (rnd() < 0.5 ? -level : level));
    }),
  );
  return [base, ...tuned];
}

function bf16Raw(values: Float32Array): RawTensor {
  const h = Uint16Array.from(values, (v) => f32ToBf16(v));
  return { dtype: 'BF16', bytes: new Uint8Array(h.buffer) };
}

/** A per-tensor TIES job (density 0.5 for every model) over tied BF16 inputs. */
export function tiedTiesJob(
  numel: number,
  models: number,
  seed: number,
  overrides: Partial<TaskArithmeticJob> = {},
): TaskArithmeticJob {
  const [base, ...tuned] = tiedValues(numel, models, seed);
  return {
    kind: 'task_arithmetic',
    tensorName: `layers.${seed}.weight`,
    shape: [numel],
    numel,
    base: bf16Raw(base!),
    models: tuned.map(bf16Raw),
    weights: tuned.map((_, m) => 1 - 0.25 * m),
    densities: tuned.map(() => 0.5),
    gammas: tuned.map(() => 0),
    epsilons: tuned.map(() => 0),
    consensus: 'sum',
    sparsifier: 'magnitude',
    rescale: 'none',
    normalize: true,
    lambda: 1,
    seed: 0,
    zeroSign: 'positive',
    majoritySign: 1,
    rowWise: false,
    deltaScale: 1,
    ...overrides,
  };
}

/** The same job keeping model 0's trimmed δ alone: out ≠ θ₀ exactly where δ₀ is kept. */
export function keptCountJob(numel: number, seed: number): TaskArithmeticJob {
  return tiedTiesJob(numel, 1, seed, { consensus: 'none', normalize: false, weights: [1] });
}

/** Entries of a merged tensor that differ from the job's base. */
export function changedEntries(job: TaskArithmeticJob, merged: Float32Array): number {
  const [base] = tiedValuesOf(job);
  let n = 0;
  for (let i = 0; i < merged.length; i++) if (merged[i] !== base![i]) n++;
  return n;
}

function tiedValuesOf(job: TaskArithmeticJob): Float32Array[] {
  return [job.base, ...job.models].map((r) => {
    const h = new Uint16Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength / 2);
    return Float32Array.from(h, bf16ToF32);
  });
}

/**
 * Entries of model m whose |δ| ties with the k-th largest, and how many of them an
 * exactly-k trim keeps: the precondition that makes a spec's count meaningful.
 */
export function tiesAtThreshold(
  job: TaskArithmeticJob,
  m: number,
): { threshold: number; tied: number; kept: number } {
  const [base, ...tuned] = tiedValuesOf(job);
  const mags = tuned[m]!.map((t, i) => Math.abs(Math.fround(t - base![i]!)));
  const k = Math.floor((job.densities[m] ?? 1) * job.numel);
  const t = Float32Array.from(mags).sort().reverse()[k - 1]!;
  const above = mags.filter((a) => a > t).length;
  return { threshold: t, tied: mags.filter((a) => a === t).length, kept: k - above };
}

/** In-memory BF16 checkpoints base, task1, … with one tied tensor `w` of `shape`. */
export async function tiedCheckpoints(
  shape: number[],
  models: number,
  seed: number,
): Promise<Map<string, Checkpoint>> {
  const numel = shape.reduce((a, b) => a * b, 1);
  const values = tiedValues(numel, models, seed);
  const map = new Map<string, Checkpoint>();
  for (let m = 0; m <= models; m++) {
    const key = m === 0 ? 'base' : `task${m}`;
    const bytes = makeValidSafetensors([
      { name: 'w', dtype: 'BF16', shape, bytes: bf16Raw(values[m]!).bytes },
    ]);
    map.set(key, await openSingleCheckpoint(memorySource(bytes, `${key}.safetensors`), key));
  }
  return map;
}
