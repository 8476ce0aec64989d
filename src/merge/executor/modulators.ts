/**
 * EMR's modulators file: for every merged tensor `<name>.emr_mask` (U8, [T, ceil(numel/8)]:
 * task t's 1-bit mask, LSB first) in the plan's order, then `emr.rescalers` (F32, [T]),
 * which need the whole model (Σ mean|τₜ| / Σ mean|mₜ ⊙ τ_uni| over every merged tensor).
 * Task t's model is θ₀ + rescalers[t] · mask_t ⊙ (merged − θ₀); the metadata lists the
 * tasks in order. Written as the merge streams: one tensor's masks at a time.
 */
import type { TensorSpec } from '../../io';
import { SafetensorsWriter } from '../../io';
import type { ByteSink } from '../../io/types';
import type { EmrModulators } from '../backend';
import type { MergePlan, MergeStep } from '../planning/types';

export const EMR_MASK_SUFFIX = '.emr_mask';
export const EMR_RESCALERS = 'emr.rescalers';
/** The modulators file's name in a folder output. */
export const EMR_MODULATORS_FILE = 'emr_modulators.safetensors';
/** Its name beside a file output: `merged.safetensors` → `merged.emr_modulators.safetensors`. */
export const modulatorsBeside = (file: string) =>
  `${file.replace(/\.safetensors$/, '')}.${EMR_MODULATORS_FILE}`;

export class ModulatorWriter {
  private readonly writer: SafetensorsWriter;
  private readonly taskMeans: number[];
  private readonly maskedMeans: number[];
  /** The streamed tensor's masks so far (addChunk). */
  private pending: Uint8Array | undefined;

  constructor(
    sink: ByteSink,
    plan: MergePlan,
    private readonly tasks: string[],
  ) {
    if (plan.method.name !== 'emr') {
      throw new Error(`modulators are written by emr merges only, not ${plan.method.name}`);
    }
    const T = tasks.length;
    const merges = plan.steps.filter((s): s is MergeStep => s.kind === 'merge');
    const specs: TensorSpec[] = merges.map((s) => ({
      name: s.name + EMR_MASK_SUFFIX,
      shape: [T, Math.ceil(s.numel / 8)],
      dtype: 'U8',
    }));
    specs.push({ name: EMR_RESCALERS, shape: [T], dtype: 'F32' });
    this.writer = new SafetensorsWriter(sink, specs, {
      format: 'emr_modulators',
      tasks: JSON.stringify(tasks),
    });
    this.taskMeans = new Array<number>(T).fill(0);
    this.maskedMeans = new Array<number>(T).fill(0);
  }

  async add(name: string, emr: EmrModulators | undefined): Promise<void> {
    if (!emr) throw new Error(`${name}: the backend returned no EMR masks`);
    emr.taskMeans.forEach((v, t) => (this.taskMeans[t]! += v));
    emr.maskedMeans.forEach((v, t) => (this.maskedMeans[t]! += v));
    await this.writer.writeTensor(name + EMR_MASK_SUFFIX, emr.masks);
  }

  /**
   * One chunk [begin, end) of a streamed tensor of `numel` elements, its masks packed from the
   * chunk's element 0: placed into the tensor's masks (T·numel/8 bytes, a small share of its
   * inputs), added once the last chunk is in. The chunks carry the whole tensor's means.
   */
  async addChunk(
    name: string,
    range: { begin: number; end: number; numel: number },
    emr: EmrModulators | undefined,
  ): Promise<void> {
    if (!emr) throw new Error(`${name}: the backend returned no EMR masks`);
    const T = this.tasks.length;
    const { begin, end, numel } = range;
    if (begin === 0 || !this.pending) this.pending = new Uint8Array(T * Math.ceil(numel / 8));
    placeMaskBits(this.pending, emr.masks, T, { begin, end, numel });
    if (end < numel) return;
    const masks = this.pending;
    this.pending = undefined;
    await this.add(name, { ...emr, masks });
  }

  /** Per task Σ mean|τₜ| / Σ mean|mₜ ⊙ τ_uni| (1 when a task's mask is empty). */
  rescalers(): Float32Array {
    return Float32Array.from(this.tasks, (_, t) =>
      this.maskedMeans[t]! > 0 ? this.taskMeans[t]! / this.maskedMeans[t]! : 1,
    );
  }

  async finish(): Promise<Float32Array> {
    const r = this.rescalers();
    await this.writer.writeTensor(EMR_RESCALERS, new Uint8Array(r.buffer));
    await this.writer.finish();
    return r;
  }

  abort(reason?: unknown): Promise<void> {
    return this.writer.abort(reason);
  }
}

/** Copies a chunk's T packed masks (from its element 0) to elements [begin, end) of the tensor's. */
export function placeMaskBits(
  target: Uint8Array,
  chunk: Uint8Array,
  T: number,
  { begin, end, numel }: { begin: number; end: number; numel: number },
): void {
  const [stride, chunkStride] = [Math.ceil(numel / 8), Math.ceil((end - begin) / 8)];
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < end - begin; i++) {
      if (!((chunk[t * chunkStride + (i >> 3)]! >> (i & 7)) & 1)) continue;
      const e = begin + i;
      target[t * stride + (e >> 3)] = target[t * stride + (e >> 3)]! | (1 << (e & 7));
    }
  }
}

/**
 * Task t's tensor from the unified model and the modulators file:
 * θ₀ + λₜ · mₜ ⊙ (merged − θ₀), with mₜ the packed row t of `<name>.emr_mask`
 * (the official EMR code's `vector_unified · masks[t] · rescalers[t]`, added to θ₀).
 */
export function emrTaskTensor(
  base: Float32Array,
  merged: Float32Array,
  masks: Uint8Array,
  task: number,
  rescaler: number,
): Float32Array {
  const n = base.length;
  const stride = Math.ceil(n / 8);
  if (masks.length < (task + 1) * stride) {
    throw new Error(`EMR masks hold ${masks.length} bytes: no row ${task} for ${n} elements`);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const bit = (masks[task * stride + (i >> 3)]! >> (i & 7)) & 1;
    out[i] = bit ? base[i]! + rescaler * (merged[i]! - base[i]!) : base[i]!;
  }
  return out;
}
