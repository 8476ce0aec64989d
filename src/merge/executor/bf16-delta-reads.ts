/**
 * mergekit's bf16 compute over a streamed tensor: its trim and l1 sums are over the bf16
 * deltas δₜ = b(b(θₜ) − b(θ₀)) (cpu/bf16.ts), not the f32 θₜ − θ₀ the other statistics rank.
 * So the statistics passes of such a job read each chunk as its bf16 deltas: F32 "models"
 * over a zero base. The band selection and the tie cut then rank |δₜ − 0| = |δₜ| exactly (the
 * subtraction of 0 is exact on every backend's selector), and the l1 sums add the very deltas
 * the merge pass computes. A chunk's own inputs are recycled as soon as its deltas are made.
 */
import type { RawTensor } from '../backend';
import { bf16Delta, bf16Input } from '../cpu/bf16';
import { F32Scratch } from '../cpu/scratch';
import type { WorkUnit } from './chunking';
import type { StatisticsContext } from './tensor-statistics';

/** `ctx` reading every unit as [zeros, δ₁, …, δ_K] (F32), each set pooled for reuse. */
export function bf16DeltaReads(tensorName: string, ctx: StatisticsContext): StatisticsContext {
  // Delta sets of earlier chunks, reused: a fresh (K + 1)-chunk set per chunk is garbage the
  // heap grows by before a collection catches up (cpu/scratch.ts).
  const free: Float32Array[] = [];
  const base = new F32Scratch();
  const model = new F32Scratch();
  const load = async (u: WorkUnit): Promise<RawTensor[]> => {
    const raws = await ctx.load(u);
    const len = u.end - u.begin;
    const size = raws.length * len;
    const pooled = free.findIndex((a) => a.length >= size);
    const set = pooled >= 0 ? free.splice(pooled, 1)[0]! : newSet(size, ctx.backend.sharedBuffers);
    set.fill(0, 0, len);
    // Synchronous from here on: the scratch casts are not shared with another load.
    const theta0 = bf16Input(raws[0]!, len, `${tensorName} (base)`, base.get(0, len));
    for (let m = 1; m < raws.length; m++) {
      const x = bf16Input(raws[m]!, len, `${tensorName} (model ${m - 1})`, model.get(0, len));
      bf16Delta(theta0, x, set.subarray(m * len, (m + 1) * len));
    }
    ctx.recycle(raws);
    return raws.map((_, m) => ({ dtype: 'F32', bytes: f32Bytes(set, m * len, len) }));
  };
  const recycle = (raws: RawTensor[]) => {
    const first = raws[0]?.bytes;
    if (first) free.push(new Float32Array(first.buffer, 0, first.buffer.byteLength / 4));
  };
  return { ...ctx, load, recycle };
}

/** Shared memory when the backend reads it in place (the Node CPU worker), not a copy. */
function newSet(size: number, shared: boolean | undefined): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(size * 4)) : new Float32Array(size);
}

function f32Bytes(set: Float32Array, begin: number, len: number): Uint8Array {
  return new Uint8Array(set.buffer, set.byteOffset + begin * 4, len * 4);
}
