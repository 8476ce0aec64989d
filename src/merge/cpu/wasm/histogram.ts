/**
 * Pass 1 of the CPU model-scope radix select on the SIMD kernels' `histogram`: δ, the high-16
 * bin count and the candidate band's in-band patterns in one wasm loop. The bins are u32 in the
 * kernel's memory, four 65 536-bin rows per model (the kernel's lanes count separately, so
 * back-to-back increments of one bin do not wait on each other), summed into the selector's
 * f64 histograms (RadixState.hist) by sync(): before the band narrows, before a bin could
 * overflow 2^32, and when the pass closes. Inputs are copied into the kernel's
 * memory per chunk (the base once for all models).
 */
import type { RadixState } from '../../radix-threshold';
import { RADIX_BINS } from '../../radix-threshold';
import type { CandidateBand } from '../../radix-candidates';
import { loadKernels, type WasmKernels } from './kernels';

const ROW_BYTES = RADIX_BINS * 4;
/** The kernel's four sub-histograms of one model, ROW_BYTES apart (offsets fixed in the .wat). */
const SUB_ROWS = 4;
const MODEL_BYTES = SUB_ROWS * ROW_BYTES;
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

  private constructor(
    private readonly w: WasmKernels,
    private readonly states: RadixState[],
  ) {
    this.pending = states.map(() => 0);
    this.dataStart = states.length * MODEL_BYTES;
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
      const count = this.w.exports.histogram(baseAt, xAt, n, m * MODEL_BYTES, lo, span, keptAt);
      this.pending[m]! += n;
      const kept = this.w.u32.subarray(keptAt / 4, keptAt / 4 + count);
      band.appendKept(kept, n, state, () => this.sync(m));
    });
  }

  /** Adds model m's four u32 rows into its f64 histogram and clears them. */
  sync(m: number): void {
    if (this.pending[m] === 0) return;
    const first = (m * MODEL_BYTES) / 4;
    const rows = this.w.u32.subarray(first, first + SUB_ROWS * RADIX_BINS);
    const hist = this.states[m]!.hist;
    for (let i = 0; i < RADIX_BINS; i++) {
      hist[i]! +=
        rows[i]! + rows[i + RADIX_BINS]! + rows[i + 2 * RADIX_BINS]! + rows[i + 3 * RADIX_BINS]!;
    }
    rows.fill(0);
    this.pending[m] = 0;
  }

  syncAll(): void {
    this.states.forEach((_, m) => this.sync(m));
  }
}
