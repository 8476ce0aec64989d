/**
 * Exact model-scope k-th largest |δ| without holding a model in memory. The bit pattern of a
 * non-negative f32 sorts like its value, so a radix select over the 32 bits finds the exact
 * value a full sort would: pass 1 histograms the high 16 bits of |δ| per model and picks the
 * bin holding the k-th largest; pass 2 histograms the low 16 bits of the elements in that bin.
 * Memory: two 65 536-bin histograms per model. k = floor(density·N); k = 0 → threshold +∞
 * (keep nothing), k ≥ N → threshold 0 (keep all).
 *
 * Protocol: call add() for every merged tensor and model, then needsAnotherPass(), which
 * closes the pass; repeat the same adds while it returns true; then thresholds().
 */
import type { MagnitudeSelector, RawTensor } from '../backend';
import { closeRadixPass, newRadixStates, type RadixState } from '../radix-threshold';
import { f32View } from './unpack';

export class CpuMagnitudeSelector implements MagnitudeSelector {
  private readonly models: RadixState[];
  private pass = 1;
  private scratch = new Float32Array(0);

  constructor(densities: number[], totalElements: number) {
    this.models = newRadixStates(densities, totalElements);
  }

  add(model: number, base: RawTensor, tuned: RawTensor): Promise<void> {
    const state = this.models[model];
    if (!state) throw new Error(`magnitude selector: no model ${model}`);
    if (state.threshold !== undefined) return Promise.resolve();
    const numel = base.bytes.byteLength / (base.dtype === 'F32' ? 4 : 2);
    const b = f32View(base, numel, 'magnitude selector (base)');
    const t = f32View(tuned, numel, `magnitude selector (model ${model})`);
    // One scratch array reused across calls (f32 rounding of δ, then its bit pattern).
    if (this.scratch.length < numel) this.scratch = new Float32Array(numel);
    const delta = this.scratch;
    for (let i = 0; i < numel; i++) delta[i] = (t[i] as number) - (b[i] as number);
    const bits = new Uint32Array(delta.buffer, 0, numel);
    const hist = state.hist;
    if (this.pass === 1) {
      for (let i = 0; i < numel; i++) hist[((bits[i] as number) & 0x7fffffff) >>> 16]!++;
    } else {
      for (let i = 0; i < numel; i++) {
        const a = (bits[i] as number) & 0x7fffffff;
        if (a >>> 16 === state.high) hist[a & 0xffff]!++;
      }
    }
    return Promise.resolve();
  }

  needsAnotherPass(): boolean {
    return closeRadixPass(this.models, this.pass++);
  }

  thresholds(): number[] {
    return this.models.map((s, m) => {
      if (s.threshold === undefined) throw new Error(`magnitude selector: model ${m} not finished`);
      return s.threshold;
    });
  }
}
