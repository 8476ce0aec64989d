/**
 * The element-wise task-arithmetic merge (elementwise-ta.ts's job) on the SIMD kernels, one
 * tile at a time: each tile of the base and of every model is copied into the kernels'
 * memory, merged there and copied out, so the kernels' memory is a fixed few hundred KiB
 * whatever the tensor size (the inputs stay in the executor's read buffers).
 *
 * Exactness: the kernels do the reference's f32 operations in its order (kernels.wat), so
 * finite results are bit-identical. Two cases go back to the TS loop for their tile: a NaN
 * output (NaN payloads differ between engines; the TS path gives the reference's bits) and a
 * NaN weighted delta under `count` (Math.sign(NaN) is NaN in the reference's statistic, the
 * kernel's sign is 0). Double bounds (keep band, the plain divisor's 1e-8 guard) become the
 * f32 bounds that give the same comparisons (f32-bounds.ts); a consensus divisor is replaced
 * only when it is 0, as mergekit does (bound 0).
 */
import type { TaskArithmeticJob } from '../../backend';
import type { ElementwiseInputs, KeepBands } from '../elementwise-ta';
import { belowF32, ceilF32, floorF32 } from './f32-bounds';
import type { RandomDrop } from './dare';
import type { WasmKernels } from './kernels';

const f = Math.fround;
/** Elements per tile: (K + 4) tiles of 32 KiB stay in L2 between the copy and the kernel. */
export const WASM_TILE = 8192;
const RECORD = 80;
const TINY = belowF32(1e-8);

interface Layout {
  table: number;
  scratch: number;
  base: number;
  /** A tile of zeros: the "base" of models whose tiles hold their kept δ already (DARE). */
  zero: number;
  models: number[];
  acc: number;
  div: number;
  out: number;
  end: number;
}

function layout(k: number): Layout {
  const tileBytes = WASM_TILE * 4;
  let at = 0;
  const take = (bytes: number) => {
    const start = at;
    at += Math.ceil(bytes / 16) * 16;
    return start;
  };
  const table = take(k * RECORD);
  const scratch = take(k * 16);
  const base = take(tileBytes);
  const zero = take(tileBytes);
  const models = Array.from({ length: k }, () => take(tileBytes));
  return {
    table,
    scratch,
    base,
    zero,
    models,
    acc: take(tileBytes),
    div: take(tileBytes),
    out: take(tileBytes),
    end: at,
  };
}

/** Writes the model table: weight, f32 keep band, keep-all mask, tile address. */
function writeTable(w: WasmKernels, l: Layout, job: TaskArithmeticJob, bands: KeepBands): void {
  const { f32, u32 } = w;
  job.models.forEach((_, m) => {
    const r = (l.table + m * RECORD) / 4;
    const lo = ceilF32(bands.lo[m]!);
    const hi = floorF32(bands.hi[m]!);
    const all = bands.trimmed[m] ? 0 : 0xffffffff;
    for (let lane = 0; lane < 4; lane++) {
      f32[r + lane] = job.weights[m] ?? 1;
      f32[r + 4 + lane] = lo;
      f32[r + 8 + lane] = hi;
      u32[r + 12 + lane] = all;
    }
    u32[r + 16] = l.models[m]!;
  });
}

/**
 * Merges into `out`; `fallback(from, to)` recomputes a tile with the TS loop (see above).
 * Returns how many tiles went to the fallback and how many outputs are NaN or ±∞.
 * With `drops` (DARE: every band keeps all), each model's tile is first replaced by its kept,
 * rescaled δ (dareDelta) and the sums take δ − 0 from it: the same f32 values as the
 * reference's sparsified task vectors.
 */
export function mergeElementwiseWasm(
  w: WasmKernels,
  job: TaskArithmeticJob,
  bands: KeepBands,
  inputs: ElementwiseInputs,
  out: Float32Array,
  fallback: (from: number, to: number) => void,
  drops?: RandomDrop[],
): { fallbacks: number; nonFinite: number } {
  const k = job.models.length;
  const l = layout(k);
  w.reserve(l.end);
  writeTable(w, l, job, bands);
  // The memory is reused by other layouts: the zero tile is cleared for this call.
  if (drops) w.f32.fill(0, l.zero / 4, l.zero / 4 + WASM_TILE);
  const sumBase = drops ? l.zero : l.base;
  const offset = job.elementOffset ?? 0;
  const x = w.exports;
  const trims = bands.trimmed.some((t) => t === 1);
  const none = job.consensus === 'none';
  const count = job.consensus === 'count' ? 1 : 0;
  const rule = job.zeroSign === 'majority' ? 1 : 0;
  const maj = job.majoritySign > 0 ? 1 : -1;
  let fixedDiv = 0;
  for (let t = 0; t < k; t++) fixedDiv = f(fixedDiv + f(job.weights[t] ?? 1));
  const lambda = f(job.lambda);
  const scale = f(job.deltaScale);
  const normalize = job.normalize ? 1 : 0;
  const { base, tuned } = inputs;
  const f32 = w.f32;
  let fallbacks = 0;
  let nonFinite = 0;
  for (let from = 0; from < job.numel; from += WASM_TILE) {
    const to = Math.min(from + WASM_TILE, job.numel);
    const len = to - from;
    const groups = Math.ceil(len / 4);
    const pad = groups * 4;
    f32.set(base.subarray(from, to), l.base / 4);
    f32.fill(0, l.base / 4 + len, l.base / 4 + pad);
    for (let m = 0; m < k; m++) {
      const tile = l.models[m]!;
      f32.set(tuned[m]!.subarray(from, to), tile / 4);
      f32.fill(0, tile / 4 + len, tile / 4 + pad);
      const d = drops?.[m];
      if (d) x.dareDelta(tile, l.base, groups, d.key, offset + from, d.t24, d.mode, d.factor, tile);
    }
    let redo = 0;
    if (none && !trims) x.sumPlain(sumBase, l.table, k, groups, l.acc);
    else if (none) x.sumMasked(sumBase, l.table, k, groups, l.acc);
    else redo = x.elect(sumBase, l.table, k, groups, l.acc, l.div, l.scratch, count, rule, maj);
    if (!redo) {
      const finished = x.finish(
        l.base,
        l.acc,
        l.div,
        groups,
        l.out,
        normalize,
        none ? 1 : 0,
        fixedDiv,
        lambda,
        scale,
        // mergekit's guard (divisor.ts): |div| ≤ 0 is div = 0 for a consensus divisor.
        none ? TINY : 0,
      );
      redo = finished & 1;
      if (!redo) nonFinite += finished >>> 1;
    }
    if (redo) {
      fallback(from, to);
      fallbacks++;
      for (let i = from; i < to; i++) if (out[i]! - out[i]! !== 0) nonFinite++;
    } else out.set(f32.subarray(l.out / 4, l.out / 4 + len), from);
  }
  return { fallbacks, nonFinite };
}
