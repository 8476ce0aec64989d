/**
 * Pass 1 of the CPU model-scope radix select on the SIMD kernels' `histogram`: δ, the high-16
 * bin count and the candidate band's in-band patterns in one wasm loop. The bins are u32 in the
 * kernel's memory, four 65 536-bin rows per model (the kernel's lanes count separately, so
 * back-to-back increments of one bin do not wait on each other; one row beyond 8 models),
 * summed into the selector's
 * f64 histograms (RadixState.hist) by sync(): before the band narrows, before a bin could
 * overflow 2^32, and when the pass closes. Inputs are copied into the kernel's
 * memory per chunk (the base once for all models).
 */
import type { RadixState } from '../../radix-threshold';
import { RADIX_BINS } from '../../radix-threshold';
import type { CandidateBand } from '../../radix-candidates';
import { loadKernels, type WasmKernels } from './kernels';

const ROW_BYTES = RADIX_BINS * 4;
/**
 * Rows per model: the kernel's four lanes count into rows of their own (faster), unless
 * there are many models — a Breadcrumbs selection has two band edges per model, and 16 × 4
 * rows would be 16 MiB for each streamed tensor.
 */
const MAX_MODELS_WITH_LANE_ROWS = 8;
/** Flush a row well before a u32 bin could overflow. */
const FLUSH_AFTER = 2 ** 31;

/**
 * A kernel instance handed back by a finished selection, for the next one: a Breadcrumbs
 * merge selects per streamed tensor (16 band edges: 16 MiB of rows), and an instance per
 * tensor left one wasm memory per tensor to the garbage collector, hundreds of MiB in a page.
 */
let spare: WasmKernels | undefined;

export class WasmHistograms {
  private pending: number[];
  private readonly dataStart: number;
  /** Rows per model (4: one per kernel lane; 1: shared) and bytes per model. */
  private readonly rows: number;
  private readonly modelBytes: number;

  private constructor(
    private readonly w: WasmKernels,
    private readonly states: RadixState[],
  ) {
    this.pending = states.map(() => 0);
    this.rows = states.length <= MAX_MODELS_WITH_LANE_ROWS ? 4 : 1;
    this.modelBytes = this.rows * ROW_BYTES;
    this.dataStart = states.length * this.modelBytes;
    w.reserve(this.dataStart);
    w.u32.fill(0, 0, this.dataStart / 4);
  }

  /** undefined without WebAssembly SIMD (the selector keeps its TS loop). */
  static create(states: RadixState[]): WasmHistograms | undefined {
    const w = spare ?? loadKernels();
    spare = undefined;
    return w ? new WasmHistograms(w, states) : undefined;
  }

  /** After the last syncAll(): the instance goes to the next selection; do not use this again. */
  release(): void {
    spare = this.w;
  }

  /**
   * One chunk of every model: histograms of bits(|δ|) >> 16 and the bands' candidates.
   * `base` and `tuned` are f32 views; models already decided (or without a band) are skipped.
   */
  addAll(base: Float32Array, tuned: Float32Array[], bands: (CandidateBand | undefined)[]): void {
    const n = base.length;
    // Layout after the rows: base, one model, the kept patterns (n u32 each).
    const baseAt = this.dataStart;
    const xAt = baseAt + n * 4;
    const keptAt = xAt + n * 4;
    this.w.reserve(keptAt + n * 4);
    this.w.f32.set(base, baseAt / 4);
    tuned.forEach((x, m) => {
      const state = this.states[m]!;
      const band = bands[m];
      if (state.threshold !== undefined || !band) return;
      if (this.pending[m]! + n > FLUSH_AFTER) this.sync(m);
      this.w.f32.set(x, xAt / 4);
      const { lo, span } = band.kernelRange();
      const count = this.w.exports.histogram(
        baseAt,
        xAt,
        n,
        m * this.modelBytes,
        this.rows === 4 ? ROW_BYTES : 0,
        lo,
        span,
        keptAt,
      );
      this.pending[m]! += n;
      const kept = this.w.u32.subarray(keptAt / 4, keptAt / 4 + count);
      band.appendKept(kept, n, state, () => this.sync(m));
    });
  }

  /** Adds model m's u32 rows into its f64 histogram and clears them. */
  sync(m: number): void {
    if (this.pending[m] === 0) return;
    const first = (m * this.modelBytes) / 4;
    const rows = this.w.u32.subarray(first, first + this.rows * RADIX_BINS);
    const hist = this.states[m]!.hist;
    if (this.rows === 4) {
      for (let i = 0; i < RADIX_BINS; i++) {
        hist[i]! +=
          rows[i]! + rows[i + RADIX_BINS]! + rows[i + 2 * RADIX_BINS]! + rows[i + 3 * RADIX_BINS]!;
      }
    } else {
      for (let i = 0; i < RADIX_BINS; i++) hist[i]! += rows[i]!;
    }
    rows.fill(0);
    this.pending[m] = 0;
  }

  syncAll(): void {
    this.states.forEach((_, m) => this.sync(m));
  }
}
