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
import { f32View } from './unpack';

const BINS = 1 << 16;

interface ModelState {
  k: number;
  hist: Float64Array;
  /** High 16 bits of the threshold once pass 1 is closed; -1 before. */
  high: number;
  /** Rank still to find inside the high bin. */
  remaining: number;
  threshold: number | undefined;
}

export class CpuMagnitudeSelector implements MagnitudeSelector {
  private readonly models: ModelState[];
  private pass = 1;
  private scratch = new Float32Array(0);

  constructor(densities: number[], totalElements: number) {
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
      const scratch = new Uint32Array(1);
      const asFloat = new Float32Array(scratch.buffer);
      for (const s of this.models) {
        if (s.threshold !== undefined) continue;
        const { bin } = findRank(s.hist, s.remaining);
        scratch[0] = ((s.high << 16) | bin) >>> 0;
        s.threshold = asFloat[0] as number;
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

/** Walks bins from the largest value down to the bin holding the k-th largest element. */
function findRank(hist: Float64Array, k: number): { bin: number; remaining: number } {
  let seen = 0;
  for (let bin = hist.length - 1; bin >= 0; bin--) {
    const c = hist[bin] as number;
    if (seen + c >= k) return { bin, remaining: k - seen };
    seen += c;
  }
  return { bin: 0, remaining: 1 };
}
