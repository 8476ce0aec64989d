/**
 * WebGPU twins of linear.ts, slerp.ts, model-stock.ts and tall.ts in src/merge/cpu. Scalars
 * that come from whole-tensor reductions (slerp coefficients, Model Stock t) are computed on
 * the CPU from f64 totals of GPU block sums, with the reference's own formulas.
 */
import {
  type ConsensusJob,
  type LinearJob,
  type ModelStockJob,
  type SlerpJob,
  type TensorResult,
  modelStockT,
  slerpFromSums,
  rowLength,
} from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { UniformWriter } from './encode';
import { ElementwiseRun } from './elementwise';
import { GpuMergeError } from './packed-inputs';

const f = Math.fround;
const MAX_PAIRS = 256;

function lincombParams(len: number, coefs: number[], div: number): ArrayBuffer {
  return new UniformWriter()
    .u32(len, coefs.length)
    .f32(div)
    .u32(0)
    .f32(...coefs)
    .padTo(4 + 64)
    .bytes();
}

export async function gpuLinear(rt: GpuRuntime, job: LinearJob): Promise<Float32Array> {
  const weights = job.models.map((_, m) => f(job.weights[m] ?? 1));
  let div = 0;
  for (const w of weights) div = f(div + w);
  if (Math.abs(div) < 1e-8) div = 1;
  const run = new ElementwiseRun(
    rt,
    job.tensorName,
    job.numel,
    job.models.map((r, m) => [`model ${m}`, r]),
    1,
  );
  try {
    const [merged] = await run.run('lincomb', ['common'], (c) =>
      lincombParams(c.len, weights, job.normalize ? div : 1),
    );
    return merged as Float32Array;
  } finally {
    await run.dispose();
  }
}

export async function gpuSlerp(rt: GpuRuntime, job: SlerpJob): Promise<Float32Array> {
  // t = 0 / 1 return that input exactly (1·x / 1 in f32), whatever the other one holds.
  const only = job.t === 0 ? job.a : job.t === 1 ? job.b : undefined;
  const named: [string, SlerpJob['a']][] = only
    ? [[job.t === 0 ? 'base' : 'model', only]]
    : [
        ['base', job.a],
        ['model', job.b],
      ];
  const run = new ElementwiseRun(rt, job.tensorName, job.numel, named, 1);
  try {
    let coefs = [1];
    if (!only && job.coefficients) coefs = [job.coefficients.s0, job.coefficients.s1];
    else if (!only) {
      const pairs = [
        [0, 0],
        [1, 1],
        [0, 1],
      ];
      const sums = await run.segmentSums(
        'dots',
        ['common', 'reduce_common'],
        3,
        Math.max(1, job.numel),
        (c, grid) => dotParams(c.len, false, grid, pairs),
      );
      const { s0, s1 } = slerpFromSums(sums[0]![0]!, sums[1]![0]!, sums[2]![0]!, job.t);
      coefs = [s0, s1];
    }
    const [merged] = await run.run('lincomb', ['common'], (c) => lincombParams(c.len, coefs, 1));
    return merged as Float32Array;
  } finally {
    await run.dispose();
  }
}

function dotParams(len: number, centred: boolean, grid: number[], pairs: number[][]): ArrayBuffer {
  const w = new UniformWriter().u32(len, centred ? 1 : 0, 0, 0, ...grid);
  for (const [x, y] of pairs) w.u32(x as number, y as number, 0, 0);
  return w.padTo(8 + MAX_PAIRS * 4).bytes();
}

export async function gpuModelStock(rt: GpuRuntime, job: ModelStockJob): Promise<Float32Array> {
  const n = job.models.length;
  if (n < 2) throw new GpuMergeError(`${job.tensorName}: model_stock needs at least 2 models`);
  const seg = job.filterWise ? rowLength(job.shape, job.numel) : Math.max(job.numel, 1);
  // Quantities: ‖τₘ‖² for every m, then ⟨τᵢ,τⱼ⟩ for i < j (inputs are 1 + m).
  const pairs: number[][] = job.models.map((_, m) => [1 + m, 1 + m]);
  const index: number[][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      index.push([i, j, pairs.length]);
      pairs.push([1 + i, 1 + j]);
    }
  }
  if (pairs.length > MAX_PAIRS)
    throw new GpuMergeError(`${job.tensorName}: model_stock on the GPU takes at most 22 models`);
  const named: [string, ModelStockJob['base']][] = [
    ['base', job.base],
    ...job.models.map((r, m): [string, typeof r] => [`model ${m}`, r]),
  ];
  const run = new ElementwiseRun(
    rt,
    job.tensorName,
    job.numel,
    named,
    1,
    job.filterWise ? seg : undefined,
  );
  try {
    // A chunk of a streamed tensor comes with the whole tensor's t.
    const given = job.t !== undefined && !job.filterWise;
    const sums = given
      ? []
      : await run.segmentSums('dots', ['common', 'reduce_common'], pairs.length, seg, (c, grid) =>
          dotParams(c.len, true, grid, pairs),
        );
    const segments = given ? 1 : sums[0]!.length;
    const ts = new Float32Array(segments);
    if (given) ts[0] = job.t!;
    for (let s = 0; s < segments && !given; s++) {
      let total = 0;
      for (const [i, j, q] of index) {
        const xy = sums[q as number]![s] as number;
        const xx = sums[i as number]![s] as number;
        const yy = sums[j as number]![s] as number;
        const cos = xy / Math.max(Math.sqrt(xx) * Math.sqrt(yy), 1e-6);
        total += Math.max(-1, Math.min(1, cos));
      }
      ts[s] = modelStockT(total / index.length, n);
    }
    const [merged] = await run.run(
      'model_stock',
      ['common'],
      (c) => new UniformWriter().u32(c.len, n, Math.min(seg, Math.max(c.len, 1)), 0).bytes(),
      (c) => {
        // The t of every segment this chunk touches (chunks hold whole rows with filter_wise).
        const first = seg >= job.numel ? 0 : c.start / seg;
        const count = Math.max(1, Math.ceil(c.len / seg));
        const slice = ts.slice(first, first + count);
        const buf = rt.storage(slice.byteLength, 'stock-t');
        rt.device.queue.writeBuffer(buf, 0, slice);
        return [buf];
      },
    );
    return merged as Float32Array;
  } finally {
    await run.dispose();
  }
}

export async function gpuConsensus(rt: GpuRuntime, job: ConsensusJob): Promise<TensorResult> {
  const K = job.models.length;
  if (K > 64)
    throw new GpuMergeError(`${job.tensorName}: consensus on the GPU takes at most 64 models`);
  const named: [string, ConsensusJob['base']][] = [
    ['base', job.base],
    ...job.models.map((r, m): [string, typeof r] => [`model ${m}`, r]),
  ];
  const outputs = job.emitTaskModels ? 1 + K : 1;
  const run = new ElementwiseRun(rt, job.tensorName, job.numel, named, outputs);
  try {
    const lambdas = job.models.map((_, t) => job.maskLambdas[t] ?? 0);
    const planes = await run.run('consensus', ['common'], (c) =>
      new UniformWriter()
        .u32(c.len, K, Math.max(0, Math.ceil(job.k)), job.emitTaskModels ? 1 : 0)
        .f32(job.alpha)
        .u32(0, 0, 0)
        .f32(...lambdas)
        .padTo(8 + 64)
        .bytes(),
    );
    const [merged, ...taskModels] = planes;
    return job.emitTaskModels
      ? { merged: merged as Float32Array, taskModels }
      : { merged: merged as Float32Array };
  } finally {
    await run.dispose();
  }
}
