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
 *
 * Pass 1 also fills a bounded candidate band per model (radix-candidates.ts): when the band
 * covers the threshold's high bin, pass 2 is computed from it and the inputs are read once.
 */
import type { MagnitudeSelector, RawTensor } from '../backend';
import { CandidateBand } from '../radix-candidates';
import {
  closeLowPass,
  closeRadixPass,
  decidedThresholds,
  histogramPart,
  newRadixStates,
  releaseRadixStates,
  type HistogramPart,
  type RadixState,
} from '../radix-threshold';
import { rawNumel } from '../split-job';
import { f32View } from './unpack';
import { WasmHistograms } from './wasm/histogram';

/** 64 MiB: 2 M candidates per model for 8 models (a 2^16-bin slice of |δ| holds ~0.1–1 %). */
export const DEFAULT_CANDIDATE_BYTES = 64 * 1024 * 1024;

export class CpuMagnitudeSelector implements MagnitudeSelector {
  private readonly models: RadixState[];
  private pass = 1;
  private scratch = new Float32Array(0);

  private readonly bands: (CandidateBand | undefined)[];
  /** Pass 1 on the SIMD kernel (when WebAssembly SIMD exists and some band is in use). */
  private wasm: WasmHistograms | undefined;

  /**
   * @param candidateBytes memory for the candidate bands of all models together (u32 per
   * kept element); 0 disables them (always two passes).
   */
  constructor(
    densities: number[],
    totalElements: number,
    candidateBytes = DEFAULT_CANDIDATE_BYTES,
  ) {
    this.models = newRadixStates(densities, totalElements);
    const perModel = Math.floor(candidateBytes / 4 / Math.max(1, densities.length));
    this.bands = this.models.map((s) =>
      s.threshold === undefined && perModel > 0
        ? new CandidateBand(perModel, totalElements)
        : undefined,
    );
    this.wasm = this.bands.some((b) => b) ? WasmHistograms.create(this.models) : undefined;
  }

  /** Every model of one tensor (or chunk): pass 1 on the kernel, else add() per model. */
  async addAll(base: RawTensor, models: RawTensor[]): Promise<void> {
    if (this.pass !== 1 || !this.wasm) {
      for (let m = 0; m < models.length; m++) await this.add(m, base, models[m]!);
      return;
    }
    const numel = rawNumel(base);
    const b = f32View(base, numel, 'magnitude selector (base)');
    const tuned = models.map((t, m) => f32View(t, numel, `magnitude selector (model ${m})`));
    // Models without a band (none here once pass 1 uses the kernel) take the TS loop.
    for (let m = 0; m < models.length; m++) {
      if (!this.bands[m]) await this.add(m, base, models[m]!);
    }
    this.wasm.addAll(b, tuned, this.bands);
  }

  add(model: number, base: RawTensor, tuned: RawTensor): Promise<void> {
    this.addNow(model, base, tuned);
    return Promise.resolve();
  }

  /** add() without the promise: the CPU selector's work is synchronous (in-memory callers). */
  addNow(model: number, base: RawTensor, tuned: RawTensor): void {
    const state = this.models[model];
    if (!state) throw new Error(`magnitude selector: no model ${model}`);
    if (state.threshold !== undefined) return;
    const numel = rawNumel(base);
    const b = f32View(base, numel, 'magnitude selector (base)');
    const t = f32View(tuned, numel, `magnitude selector (model ${model})`);
    // One scratch array reused across calls (f32 rounding of δ, then its bit pattern).
    if (this.scratch.length < numel) this.scratch = new Float32Array(numel);
    const delta = this.scratch.subarray(0, numel);
    const band = this.bands[model];
    if (this.pass === 1 && band) {
      band.addDeltas(b, t, delta, state);
      return;
    }
    const bits = new Uint32Array(delta.buffer, 0, numel);
    const hist = state.hist;
    if (this.pass === 1) {
      for (let i = 0; i < numel; i++) {
        delta[i] = t[i]! - b[i]!;
        hist[(bits[i]! & 0x7fffffff) >>> 16]!++;
      }
    } else {
      for (let i = 0; i < numel; i++) {
        delta[i] = t[i]! - b[i]!;
        const a = bits[i]! & 0x7fffffff;
        if (a >>> 16 === state.high) hist[a & 0xffff]!++;
      }
    }
  }

  /** Pass 1 is over: its kernel counts into the histograms, the instance to the next selection. */
  private closeKernelPass(): void {
    // Later passes take the TS loop: the kernel instance is free for the next selection.
    this.wasm?.syncAll();
    this.wasm?.release();
    this.wasm = undefined;
  }

  needsAnotherPass(): boolean {
    if (this.pass === 1) this.closeKernelPass();
    const pass = this.pass++;
    const more = closeRadixPass(this.models, pass);
    if (pass !== 1 || !more) return more;
    // Models whose band covers the high bin finish now; pass 2 only re-reads for the others.
    this.models.forEach((s, m) => {
      if (s.threshold === undefined && this.bands[m]?.settle(s)) closeLowPass(s);
    });
    this.bands.fill(undefined);
    return this.models.some((s) => s.threshold === undefined);
  }

  /**
   * A selection split across threads (node/parallel-selector.ts): each thread's selector is a
   * share that sees some of every tensor's elements; a coordinator adds up the shares'
   * counts and closes the passes with the same bookkeeping as needsAnotherPass(). This moves
   * out this share's counts of the pass so far (pass 1: high-16 bins; pass 2: low-16 bins in
   * each model's high bin), the non-zero span per model (empty for a decided model).
   */
  takeHistograms(): HistogramPart[] {
    if (this.pass === 1) this.closeKernelPass();
    return this.models.map((s) => {
      const part = histogramPart(s.hist);
      s.hist.fill(0);
      return part;
    });
  }

  /**
   * After the coordinator closed pass 1: each model's high bin (-1: decided). Per model, the
   * low-16 counts of this share's band in that bin, or null when its band does not cover the
   * bin (or it has none); the share is in pass 2 afterwards.
   */
  settleShare(highs: number[]): (HistogramPart | null)[] {
    this.pass = 2;
    const lows = this.models.map((s, m) => {
      const high = highs[m] ?? -1;
      const band = this.bands[m];
      if (s.threshold !== undefined || high < 0) return null;
      // Pass 2 (when some share's band misses the bin) counts inside this bin.
      s.high = high;
      s.hist.fill(0);
      if (!band) return null;
      const covered = band.settle(s);
      const counts = covered ? histogramPart(s.hist) : null;
      s.hist.fill(0);
      return counts;
    });
    this.bands.fill(undefined);
    return lows;
  }

  /** The share's selection is over (shareDrop): its histograms go to the next selection. */
  release(): void {
    this.closeKernelPass();
    releaseRadixStates(this.models);
    this.bands.fill(undefined);
  }

  /** Thresholds the coordinator decided (undefined: still open); their models are skipped. */
  decide(thresholds: (number | undefined)[]): void {
    thresholds.forEach((t, m) => {
      const s = this.models[m];
      if (s && t !== undefined) s.threshold = t;
    });
  }

  thresholds(): number[] {
    return decidedThresholds(this.models);
  }
}
