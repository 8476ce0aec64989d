import {
  type MagnitudeSelector,
  type RawTensor,
  closeRadixPass,
  decidedThresholds,
  newRadixStates,
  RADIX_BINS as BINS,
  type RadixState,
} from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { encodeThreads, UniformWriter } from './encode';
import { DTYPE_BYTES, PackedInputs, planChunkLength, validateInputs } from './packed-inputs';

/** Elements folded into a GPU histogram before it is read back (bins are u32). */
const FLUSH_ELEMENTS = 2 ** 31;

/**
 * Model-scope k-th largest |δ| (same protocol and result as the CPU reference's selector):
 * every add() streams one tensor through histogram.wgsl into the model's 65 536-bin GPU
 * histogram — pass 1 counts the high 16 bits of |δ|, pass 2 the low 16 bits of the elements
 * in the selected high bin. closePass() reads every histogram back once and folds it into f64
 * counts, so a pass costs one readback per model, not one per tensor. Only two histograms per
 * model exist (one on the GPU, one in f64), never a model.
 */
export class GpuMagnitudeSelector implements MagnitudeSelector {
  private readonly models: RadixState[];
  private pass = 1;
  /** Per model: GPU histogram of the current pass and the elements added since its readback. */
  private readonly gpuHist = new Map<number, { buffer: GPUBuffer; elements: number }>();

  constructor(
    private readonly rt: GpuRuntime,
    densities: number[],
    totalElements: number,
  ) {
    this.models = newRadixStates(densities, totalElements);
  }

  private histogramOf(
    model: number,
    encoder: GPUCommandEncoder,
  ): { buffer: GPUBuffer; elements: number } {
    let h = this.gpuHist.get(model);
    if (!h) {
      h = { buffer: this.rt.storage(BINS * 4, 'selector-hist'), elements: 0 };
      this.rt.clear(encoder, h.buffer, BINS * 4);
      this.gpuHist.set(model, h);
    }
    return h;
  }

  async add(model: number, base: RawTensor, tuned: RawTensor): Promise<void> {
    const state = this.models[model];
    if (!state) throw new Error(`magnitude selector: no model ${model}`);
    if (state.threshold !== undefined || this.pass > 2) return;
    const numel = base.bytes.byteLength / DTYPE_BYTES[base.dtype];
    const name = `magnitude selector (model ${model})`;
    validateInputs(name, numel, [
      ['base', base],
      ['tuned', tuned],
    ]);
    if (numel === 0) return;
    const chunkLen = planChunkLength(name, numel, [base.dtype, tuned.dtype], this.rt.maxBinding);
    const inputs = new PackedInputs(this.rt, [base, tuned], numel, chunkLen);
    const size = BINS * 4;
    const used: GPUBuffer[] = [];
    const pipeline = this.rt.pipeline('histogram', ['common']);
    try {
      for (let c = 0; c < inputs.chunkCount; c++) {
        const chunk = inputs.bind(c);
        const encoder = this.rt.device.createCommandEncoder({ label: 'selector' });
        const hist = this.histogramOf(model, encoder);
        const params = this.rt.uniform(
          new UniformWriter()
            .u32(chunk.len, 1, this.pass, this.pass === 2 ? 1 : 0, 0, Math.max(0, state.high))
            .padTo(4 + 128 * 4)
            .bytes(),
        );
        used.push(params);
        encodeThreads(
          this.rt,
          encoder,
          pipeline,
          { ...inputs.bindings(chunk), 2: params, 3: { buffer: hist.buffer, size } },
          chunk.len,
        );
        this.rt.device.queue.submit([encoder.finish()]);
        hist.elements += chunk.len;
        if (hist.elements >= FLUSH_ELEMENTS) await this.flush(model);
      }
    } finally {
      await inputs.dispose();
      await this.rt.release(used);
    }
  }

  /** K × 65 536 bins of addAll() (model m at m·2^16) and the elements added per model since its readback. */
  private allHist: { buffer: GPUBuffer; elements: number } | undefined;

  /**
   * One chunk of every model at once: [base, models…] are packed and uploaded once per chunk
   * and one dispatch counts all K histograms (histogram.wgsl's model loop), instead of K
   * uploads of the base and K dispatches through add().
   */
  async addAll(base: RawTensor, models: RawTensor[]): Promise<void> {
    if (this.pass > 2 || this.models.every((s) => s.threshold !== undefined)) return;
    if (models.length !== this.models.length) {
      throw new Error(
        `magnitude selector: ${models.length} models, expected ${this.models.length}`,
      );
    }
    const numel = base.bytes.byteLength / DTYPE_BYTES[base.dtype];
    const name = 'magnitude selector';
    const all: RawTensor[] = [base, ...models];
    validateInputs(
      name,
      numel,
      all.map((r, i) => [i === 0 ? 'base' : `model ${i - 1}`, r]),
    );
    if (numel === 0) return;
    const k = models.length;
    const dtypes = all.map((r) => r.dtype);
    const chunkLen = planChunkLength(name, numel, dtypes, this.rt.maxBinding);
    const inputs = new PackedInputs(this.rt, all, numel, chunkLen);
    const size = k * BINS * 4;
    const used: GPUBuffer[] = [];
    const pipeline = this.rt.pipeline('histogram', ['common']);
    // Pass 2 queries: model m's prefix, or one no bit pattern has once m is decided.
    const writer = new UniformWriter().u32(0, k, this.pass, this.pass === 2 ? k : 0);
    this.models.forEach((s, m) => {
      writer.u32(m, s.threshold === undefined ? Math.max(0, s.high) : 0xffffffff, 0, 0);
    });
    const tableWords = writer.padTo(4 + 128 * 4);
    try {
      for (let c = 0; c < inputs.chunkCount; c++) {
        const chunk = inputs.bind(c);
        const encoder = this.rt.device.createCommandEncoder({ label: 'selector (all models)' });
        if (!this.allHist) {
          this.allHist = { buffer: this.rt.storage(size, 'selector-hist-all'), elements: 0 };
          this.rt.clear(encoder, this.allHist.buffer, size);
        }
        const bytes = new Uint32Array(tableWords.bytes());
        bytes[0] = chunk.len;
        const params = this.rt.uniform(bytes);
        used.push(params);
        encodeThreads(
          this.rt,
          encoder,
          pipeline,
          { ...inputs.bindings(chunk), 2: params, 3: { buffer: this.allHist.buffer, size } },
          chunk.len,
        );
        this.rt.device.queue.submit([encoder.finish()]);
        this.allHist.elements += chunk.len;
        if (this.allHist.elements >= FLUSH_ELEMENTS) await this.flushAll();
      }
    } finally {
      await inputs.dispose();
      await this.rt.release(used);
    }
  }

  /** Reads addAll()'s histograms into every undecided model's f64 counts and frees them. */
  private async flushAll(): Promise<void> {
    const h = this.allHist;
    if (!h) return;
    this.allHist = undefined;
    const k = this.models.length;
    const counts = new Uint32Array(await this.rt.read(h.buffer, 0, k * BINS * 4));
    await this.rt.release([h.buffer]);
    this.models.forEach((s, m) => {
      if (s.threshold !== undefined) return;
      const hist = s.hist;
      const at = m * BINS;
      for (let b = 0; b < BINS; b++) hist[b] = (hist[b] as number) + (counts[at + b] as number);
    });
  }

  /** Reads model m's GPU histogram into its f64 counts and frees it. */
  private async flush(model: number): Promise<void> {
    const h = this.gpuHist.get(model);
    if (!h) return;
    this.gpuHist.delete(model);
    const counts = new Uint32Array(await this.rt.read(h.buffer, 0, BINS * 4));
    await this.rt.release([h.buffer]);
    const hist = (this.models[model] as RadixState).hist;
    for (let b = 0; b < BINS; b++) hist[b] = (hist[b] as number) + (counts[b] as number);
  }

  /** Settles the pass: every GPU histogram is read back (the executor awaits this first). */
  async closePass(): Promise<void> {
    for (const model of [...this.gpuHist.keys()]) await this.flush(model);
    await this.flushAll();
  }

  needsAnotherPass(): boolean {
    if (this.gpuHist.size > 0 || this.allHist) {
      throw new Error('magnitude selector: await closePass() before needsAnotherPass()');
    }
    return closeRadixPass(this.models, this.pass++);
  }

  thresholds(): number[] {
    return decidedThresholds(this.models);
  }
}
