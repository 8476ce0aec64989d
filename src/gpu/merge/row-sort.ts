import type { GpuRuntime } from '../runtime/runtime';
import { WORKGROUP_SIZE } from '../runtime/dispatch';
import { encodeGroups, encodeThreads, UniformWriter } from './encode';
import type { BoundChunk, PackedInputs } from './packed-inputs';

/** Rows padded to at most this many keys are sorted by one workgroup each (sort.wgsl). */
export const ROW_KEYS_LOCAL = 2048;

export function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/** What to derive from model m's sorted rows. */
export type RowTask =
  | { model: number; kind: 'band'; none: boolean; loIndex: number; hiIndex: number }
  | { model: number; kind: 'della'; key: number; table: Uint32Array };

/**
 * Per-row statistics of |δ| for one chunk of whole rows: each listed model's rows are sorted
 * (segmented bitonic network over keys padded to a power of two), then either the band edges
 * of every row are read (row-wise magnitude / Breadcrumbs: `rowBand`, (lo, hi) bits per model
 * and row) or every element's rank gives its DELLA keep probability (`keepP`, per model and
 * element, 0 when dropped).
 */
export async function rowStatistics(
  rt: GpuRuntime,
  inputs: PackedInputs,
  chunk: BoundChunk,
  rowLen: number,
  models: number,
  tasks: RowTask[],
  rowBand: GPUBuffer,
  keepP: GPUBuffer,
  /** Flat index of the job's element 0 in its tensor (a streamed chunk), for DELLA's stream. */
  elementOffset = 0,
): Promise<void> {
  const rows = chunk.len / rowLen;
  const padded = nextPow2(rowLen);
  const first = chunk.start + elementOffset;
  if (padded <= ROW_KEYS_LOCAL) {
    await rowStatisticsLocal(rt, inputs, chunk, rowLen, models, tasks, rowBand, keepP, first);
    return;
  }
  const tileKeys = 2 * WORKGROUP_SIZE;
  const total = Math.ceil((rows * padded) / tileKeys) * tileKeys;
  const keysSize = total * 4;
  const keys = rt.storage(keysSize, 'sort-keys');
  const used: GPUBuffer[] = [keys];
  const uniform = (model: number, k: number, j: number, extra: number[]): GPUBuffer => {
    const u = rt.uniform(
      new UniformWriter()
        .u32(chunk.len, rowLen, rows, padded, model, k, j, ...extra)
        .padTo(12)
        .u32(total)
        .padTo(16)
        .bytes(),
    );
    used.push(u);
    return u;
  };
  const keysBinding = { buffer: keys, size: keysSize };
  for (const task of tasks) {
    // One submit per model keeps the command buffer (≈ log²(row) dispatches) small.
    const encoder = rt.device.createCommandEncoder({ label: `row sort model ${task.model}` });
    const fill = rt.pipeline('sort', ['common', 'random'], 'fill');
    encodeThreads(
      rt,
      encoder,
      fill,
      { ...inputs.bindings(chunk), 2: uniform(task.model, 0, 0, []), 3: keysBinding },
      total,
    );
    const step = rt.pipeline('sort', ['common', 'random'], 'step');
    const local = rt.pipeline('sort', ['common', 'random'], 'local_steps');
    const tiles = total / tileKeys;
    // k = 0: every stage up to one tile; then per larger stage the global steps j ≥ tile,
    // and the rest of the stage inside tiles.
    encodeGroups(rt, encoder, local, { 2: uniform(task.model, 0, 0, []), 3: keysBinding }, tiles);
    for (let k = 2 * tileKeys; k <= padded; k *= 2) {
      for (let j = k / 2; j >= tileKeys; j /= 2) {
        encodeThreads(
          rt,
          encoder,
          step,
          { 2: uniform(task.model, k, j, []), 3: keysBinding },
          total / 2,
        );
      }
      encodeGroups(rt, encoder, local, { 2: uniform(task.model, k, 0, []), 3: keysBinding }, tiles);
    }
    if (task.kind === 'band') {
      const band = rt.pipeline('sort', ['common', 'random'], 'row_band');
      const params = uniform(task.model, 0, 0, [
        0,
        task.none ? 1 : 0,
        task.loIndex,
        task.hiIndex,
        first,
      ]);
      encodeThreads(
        rt,
        encoder,
        band,
        { 2: params, 3: keysBinding, 5: { buffer: rowBand, size: models * rows * 8 } },
        rows,
      );
    } else {
      const tableBuf = rt.storage(task.table.byteLength, 'della-ranks');
      used.push(tableBuf);
      rt.device.queue.writeBuffer(tableBuf, 0, task.table as Uint32Array<ArrayBuffer>);
      const della = rt.pipeline('sort', ['common', 'random'], 'della');
      const params = uniform(task.model, 0, 0, [task.key, 0, 0, 0, first]);
      encodeThreads(
        rt,
        encoder,
        della,
        {
          ...inputs.bindings(chunk),
          2: params,
          3: keysBinding,
          4: { buffer: tableBuf, size: task.table.byteLength },
          5: { buffer: keepP, size: models * chunk.len * 4 },
        },
        chunk.len,
      );
    }
    rt.device.queue.submit([encoder.finish()]);
  }
  await rt.release(used);
}

/**
 * The same statistics for rows of ≤ ROW_KEYS_LOCAL padded keys: one workgroup per row sorts it
 * in workgroup memory and writes the band edges or DELLA keep probabilities directly. One
 * dispatch per model instead of ≈ log²(row) passes over a global key buffer.
 */
async function rowStatisticsLocal(
  rt: GpuRuntime,
  inputs: PackedInputs,
  chunk: BoundChunk,
  rowLen: number,
  models: number,
  tasks: RowTask[],
  rowBand: GPUBuffer,
  keepP: GPUBuffer,
  first: number,
): Promise<void> {
  const rows = chunk.len / rowLen;
  const padded = nextPow2(rowLen);
  const used: GPUBuffer[] = [];
  for (const task of tasks) {
    const encoder = rt.device.createCommandEncoder({ label: `row sort model ${task.model}` });
    const extra =
      task.kind === 'band'
        ? [0, task.none ? 1 : 0, task.loIndex, task.hiIndex, first]
        : [task.key, 0, 0, 0, first];
    const params = rt.uniform(
      new UniformWriter()
        .u32(chunk.len, rowLen, rows, padded, task.model, 0, 0, ...extra)
        .padTo(12)
        .u32(0)
        .padTo(16)
        .bytes(),
    );
    used.push(params);
    if (task.kind === 'band') {
      encodeGroups(
        rt,
        encoder,
        rt.pipeline('sort', ['common', 'random'], 'row_band_local'),
        {
          ...inputs.bindings(chunk),
          2: params,
          5: { buffer: rowBand, size: models * rows * 8 },
        },
        rows,
      );
    } else {
      const tableBuf = rt.storage(task.table.byteLength, 'della-ranks');
      used.push(tableBuf);
      rt.device.queue.writeBuffer(tableBuf, 0, task.table as Uint32Array<ArrayBuffer>);
      encodeGroups(
        rt,
        encoder,
        rt.pipeline('sort', ['common', 'random'], 'della_local'),
        {
          ...inputs.bindings(chunk),
          2: params,
          4: { buffer: tableBuf, size: task.table.byteLength },
          5: { buffer: keepP, size: models * chunk.len * 4 },
        },
        rows,
      );
    }
    rt.device.queue.submit([encoder.finish()]);
  }
  await rt.release(used);
}
