import { findRank, RADIX_BINS } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { encodeThreads, UniformWriter } from './encode';
import type { PackedInputs } from './packed-inputs';

export const BINS = RADIX_BINS;
const MAX_QUERIES = 128;

export interface RankQuery {
  /** Model index (input 1 + model). */
  model: number;
  /** 1-based: the k-th largest |δ| of that model over the whole tensor. */
  k: number;
}

/** Dispatches histogram.wgsl over every chunk, accumulating into one hist buffer. */
async function histogramPass(
  rt: GpuRuntime,
  inputs: PackedInputs,
  models: number,
  pass: 1 | 2,
  table: [number, number][],
  slots: number,
): Promise<Uint32Array> {
  const pipeline = rt.pipeline('histogram', ['common']);
  const size = slots * BINS * 4;
  const hist = rt.storage(size, 'histogram');
  const used: GPUBuffer[] = [hist];
  let encoder = rt.device.createCommandEncoder({ label: `radix pass ${pass}` });
  rt.clear(encoder, hist, size);
  for (let c = 0; c < inputs.chunkCount; c++) {
    const chunk = inputs.bind(c);
    const w = new UniformWriter().u32(chunk.len, models, pass, table.length);
    for (const [a, b] of table) w.u32(a, b, 0, 0);
    const params = rt.uniform(w.padTo(4 + MAX_QUERIES * 4).bytes());
    used.push(params);
    encodeThreads(
      rt,
      encoder,
      pipeline,
      { ...inputs.bindings(chunk), 2: params, 3: { buffer: hist, size } },
      chunk.len,
    );
    if (c + 1 < inputs.chunkCount) {
      // The next bind() replaces the packed buffer: submit what reads it first.
      rt.device.queue.submit([encoder.finish()]);
      encoder = rt.device.createCommandEncoder({ label: `radix pass ${pass}` });
    }
  }
  const counts = new Uint32Array(await rt.read(hist, 0, size, encoder));
  await rt.release(used);
  return counts;
}

/**
 * Exact order statistics of |δ| (δ = model − base in f32) over a whole tensor, streamed over
 * its chunks: two radix passes of 16 bits with atomic histograms. Returns the f32 bit pattern
 * of the k-th largest |δ| for every query.
 */
export async function selectAbsDeltaBits(
  rt: GpuRuntime,
  inputs: PackedInputs,
  models: number,
  queries: RankQuery[],
): Promise<number[]> {
  if (queries.length === 0) return [];
  if (queries.length > MAX_QUERIES)
    throw new Error(`radix select: more than ${MAX_QUERIES} queries`);
  let t = performance.now();
  const first = await histogramPass(rt, inputs, models, 1, [], models);
  t = await rt.phase('radix pass 1', t);
  const high = queries.map((q) =>
    findRank(first.subarray(q.model * BINS, (q.model + 1) * BINS), q.k),
  );
  const second = await histogramPass(
    rt,
    inputs,
    models,
    2,
    queries.map((q, i) => [q.model, (high[i] as { bin: number }).bin]),
    queries.length,
  );
  await rt.phase('radix pass 2', t);
  return queries.map((_, i) => {
    const h = high[i] as { bin: number; remaining: number };
    const low = findRank(second.subarray(i * BINS, (i + 1) * BINS), h.remaining).bin;
    return ((h.bin << 16) | low) >>> 0;
  });
}
