import type { MagnitudeSelector, RawTensor } from '../../merge/backend';
import type { GpuRuntime } from '../runtime/runtime';
import { encodeThreads, UniformWriter } from './encode';
import { DTYPE_BYTES, PackedInputs, planChunkLength, validateInputs } from './packed-inputs';
import { closeRadixPass, newRadixStates, type RadixState } from '../../merge/radix-threshold';
import { BINS } from './radix-select';

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
      inputs.dispose();
      await this.rt.release(used);
    }
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
  }

  needsAnotherPass(): boolean {
    if (this.gpuHist.size > 0) {
      throw new Error('magnitude selector: await closePass() before needsAnotherPass()');
    }
    return closeRadixPass(this.models, this.pass++);
  }

  thresholds(): number[] {
    return this.models.map((s, m) => {
      if (s.threshold === undefined) throw new Error(`magnitude selector: model ${m} not finished`);
      return s.threshold;
    });
  }
}
