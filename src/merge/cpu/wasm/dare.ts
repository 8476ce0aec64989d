/**
 * DARE's random drop (sparsifier `random`) on the SIMD kernels (kernels.wat's dareDelta and
 * dareSums): the keep decision is the counter-based hash of random.ts computed four lanes at a
 * time, the rescale the reference's f64 operation rounded once to f32, so the kept values are
 * the TypeScript path's bit for bit.
 */
import type { TaskArithmeticJob } from '../../backend';
import { nameHash, streamKey } from '../../random';
import { WASM_TILE } from './elementwise';
import type { WasmKernels } from './kernels';

/** One model's drop: stream key, keep threshold on the 24 random bits, rescale. */
export interface RandomDrop {
  key: number;
  /** Keep iff (hash >>> 8) < t24 as unsigned (0xffffffff keeps every element). */
  t24: number;
  /** 0 none, 1 divide by `factor` (inverse density), 2 multiply by it (an l1 factor). */
  mode: 0 | 1 | 2;
  factor: number;
}

/**
 * ceil(density · 2^24): random.ts keeps an element iff u / 2^24 < density for its integer
 * u < 2^24, i.e. iff u < ceil(density · 2^24) (density · 2^24 is exact in a double).
 */
export function keepBelow(density: number): number {
  return density >= 1 ? 0xffffffff : Math.max(0, Math.ceil(density * 16777216));
}

export type RandomDropJob = Pick<
  TaskArithmeticJob,
  'tensorName' | 'seed' | 'densities' | 'rescale'
>;

/** Model m's drop; `l1Factor`: its l1 rescale factor (rescale 'l1'). */
export function randomDrop(job: RandomDropJob, m: number, l1Factor = 1): RandomDrop {
  const density = job.densities[m] ?? 1;
  const drop: RandomDrop = {
    key: streamKey(job.seed, m, nameHash(job.tensorName)),
    t24: keepBelow(density),
    mode: 0,
    factor: 1,
  };
  // sparsify.ts: inverse_density divides the kept (non-zero) entries by the density (by 1
  // when ≥ 1; at density 0 nothing is kept, and 0 / 0 must not happen); an l1 factor of
  // exactly 1 is skipped.
  if (job.rescale === 'inverse_density' && density < 1 && density > 0) {
    drop.mode = 1;
    drop.factor = density;
  } else if (job.rescale === 'l1' && l1Factor !== 1) {
    drop.mode = 2;
    drop.factor = l1Factor;
  }
  return drop;
}

/**
 * Adds Σ|δ| and Σ|kept| of one model over its elements (δ = tuned − base, element i having
 * the stream index `offset + i`) to `sums`, in element order and in doubles as
 * sparsify.ts's addL1Sums does, so the sums are the same.
 */
export function addRandomDropL1SumsWasm(
  w: WasmKernels,
  base: Float32Array,
  tuned: Float32Array,
  drop: RandomDrop,
  offset: number,
  sums: { before: number; after: number },
): void {
  const tileBytes = WASM_TILE * 4;
  const at = { sums: 0, base: 16, x: 16 + tileBytes };
  w.reserve(at.x + tileBytes);
  const f64 = new Float64Array(w.exports.memory.buffer, at.sums, 2);
  f64[0] = sums.before;
  f64[1] = sums.after;
  const f32 = w.f32;
  for (let from = 0; from < base.length; from += WASM_TILE) {
    const to = Math.min(from + WASM_TILE, base.length);
    const len = to - from;
    const pad = Math.ceil(len / 4) * 4;
    // Padding lanes are 0 − 0: they add +0 to both sums, which changes neither.
    f32.set(base.subarray(from, to), at.base / 4);
    f32.fill(0, at.base / 4 + len, at.base / 4 + pad);
    f32.set(tuned.subarray(from, to), at.x / 4);
    f32.fill(0, at.x / 4 + len, at.x / 4 + pad);
    w.exports.dareSums(at.x, at.base, pad / 4, drop.key, offset + from, drop.t24, at.sums);
  }
  sums.before = f64[0]!;
  sums.after = f64[1]!;
}
