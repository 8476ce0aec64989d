import type { MagnitudeSelector, RawTensor } from '../../merge/backend';
import type { GpuRuntime } from '../runtime/runtime';
import { encodeThreads, UniformWriter } from './encode';
import { DTYPE_BYTES, PackedInputs, planChunkLength, validateInputs } from './packed-inputs';
import { BINS, findRank } from './radix-select';
import { bitsToF32 } from './bits';

interface ModelState {
  k: number;
  hist: Float64Array;
  high: number;
  remaining: number;
  threshold: number | undefined;
}

/**
 * Model-scope k-th largest |δ| (same protocol and result as the CPU reference's selector):
 * every add() streams one tensor through histogram.wgsl — pass 1 counts the high 16 bits of
 * |δ|, pass 2 the low 16 bits of the elements in the selected high bin — and folds the
 * 65 536-bin histogram into per-model f64 counts. Only two histograms per model are kept.
 */
export class GpuMagnitudeSelector implements MagnitudeSelector {
  private readonly models: ModelState[];
  private pass = 1;

  constructor(
    private readonly rt: GpuRuntime,
    densities: number[],
    totalElements: number,
  ) {
    this.models = densities.map((d) => {
      const k = Math.floor(d * totalElements);
      const done = k <= 0 ? Infinity : k >= totalElements ? 0 : undefined;
      return {
        k,
        hist: new Float64Array(done === undefined ? BINS : 0),
        high: -1,
        remaining: k,
        threshold: done,
      };
    });
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
    const hist = this.rt.storage(size, 'selector-hist');
    const used: GPUBuffer[] = [hist];
    const pipeline = this.rt.pipeline('histogram', ['common']);
    try {
      let encoder = this.rt.device.createCommandEncoder({ label: 'selector' });
      this.rt.clear(encoder, hist, size);
      for (let c = 0; c < inputs.chunkCount; c++) {
        const chunk = inputs.bind(c);
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
          { ...inputs.bindings(chunk), 2: params, 3: { buffer: hist, size } },
          chunk.len,
        );
        if (c + 1 < inputs.chunkCount) {
          this.rt.device.queue.submit([encoder.finish()]);
          encoder = this.rt.device.createCommandEncoder({ label: 'selector' });
        }
      }
      const counts = new Uint32Array(await this.rt.read(hist, 0, size, encoder));
      for (let b = 0; b < BINS; b++)
        state.hist[b] = (state.hist[b] as number) + (counts[b] as number);
    } finally {
      inputs.dispose();
      await this.rt.release(used);
    }
  }

  needsAnotherPass(): boolean {
    if (this.pass === 1) {
      for (const s of this.models) {
        if (s.threshold !== undefined) continue;
        const { bin, remaining } = findRank(s.hist, s.k);
        s.high = bin;
        s.remaining = remaining;
        s.hist.fill(0);
      }
      this.pass = 2;
      return this.models.some((s) => s.threshold === undefined);
    }
    if (this.pass === 2) {
      for (const s of this.models) {
        if (s.threshold !== undefined) continue;
        s.threshold = bitsToF32(((s.high << 16) | findRank(s.hist, s.remaining).bin) >>> 0);
      }
      this.pass = 3;
    }
    return false;
  }

  thresholds(): number[] {
    return this.models.map((s, m) => {
      if (s.threshold === undefined) throw new Error(`magnitude selector: model ${m} not finished`);
      return s.threshold;
    });
  }
}
