/**
 * Candidate band for the model-scope radix select: lets pass 1 also settle pass 2, so the
 * exact model-wide threshold costs one read of the inputs instead of two.
 *
 * While pass 1 histograms the high 16 bits of |δ|, the band keeps the |δ| bit patterns of
 * every element whose high bin lies in [lo, hi]. It starts as every bin; whenever the kept
 * entries exceed the capacity, the band narrows (never widens) around the bin that holds the
 * k-th largest *so far* (rank scaled to the elements seen), and the entries that left it are
 * dropped. Invariant: the band holds every element seen whose bin is in [lo, hi].
 *
 * After pass 1 the true bin B is known. If B is in the band, the low-16-bit histogram of the
 * kept entries with high bits B is exactly what pass 2 would count — the threshold is the
 * same as a full sort's, ties included. If not (the early estimate was off, or one bin alone
 * overflows the capacity), the caller runs the ordinary second pass: never an approximation.
 */
import { findRank, type RadixState } from './radix-threshold';

export class CandidateBand {
  private kept: Uint32Array;
  private count = 0;
  lo = 0;
  hi = 0xffff;
  /** Elements seen in pass 1 (for the scaled rank estimate). */
  private seen = 0;

  constructor(
    private readonly capacity: number,
    private readonly totalElements: number,
  ) {
    // Grows on demand up to the capacity, so small models cost small buffers.
    this.kept = new Uint32Array(Math.min(capacity, 1 << 16));
  }

  get empty(): boolean {
    return this.lo > this.hi;
  }

  /**
   * Pass 1 for one tensor (or chunk) of one model: δ = f32(tuned − base) into `scratch`,
   * counts the high 16 bits of |δ| into `state.hist` and keeps the in-band |δ| patterns.
   */
  addDeltas(
    base: Float32Array,
    tuned: Float32Array,
    scratch: Float32Array,
    state: RadixState,
  ): void {
    const n = base.length;
    const bits = new Uint32Array(scratch.buffer, scratch.byteOffset, n);
    // δ first (a plain vectorizable loop), then the histogram and the band.
    for (let i = 0; i < n; i++) scratch[i] = tuned[i]! - base[i]!;
    const hist = state.hist;
    let lo = this.lo;
    let hi = this.hi;
    // Locals in the hot loop; written back before narrowing (which reads the fields).
    let kept = this.kept;
    let count = this.count;
    for (let i = 0; i < n; i++) {
      const a = bits[i]! & 0x7fffffff;
      const bin = a >>> 16;
      hist[bin]!++;
      if (bin >= lo && bin <= hi) {
        if (count === kept.length) {
          this.count = count;
          if (!this.grow()) {
            this.seen += i;
            this.narrow(state);
            this.seen -= i;
            lo = this.lo;
            hi = this.hi;
          }
          kept = this.kept;
          count = this.count;
          if (bin < lo || bin > hi) continue;
        }
        kept[count++] = a;
      }
    }
    this.count = count;
    this.seen += n;
  }

  /** The band's bins as the histogram kernel takes them: first bin and span (none: 0x10000). */
  kernelRange(): { lo: number; span: number } {
    return this.empty ? { lo: 0x10000, span: 0 } : { lo: this.lo, span: this.hi - this.lo };
  }

  /**
   * Pass 1 with the histogram counted elsewhere (the SIMD kernel, wasm/histogram.ts): appends
   * the in-band |δ| patterns the kernel collected from `n` elements with kernelRange().
   * `syncHist` must bring state.hist up to date (counting those n elements too) before the
   * band narrows. The invariant holds at the end: every element of the band's bins is kept
   * (bins of a narrowed band count ≤ half the capacity in the synced histogram).
   */
  appendKept(patterns: Uint32Array, n: number, state: RadixState, syncHist: () => void): void {
    this.seen += n;
    // The kernel used this band: while they fit, the patterns are appended as one copy.
    while (this.count + patterns.length > this.kept.length && this.grow());
    if (this.count + patterns.length <= this.kept.length) {
      this.kept.set(patterns, this.count);
      this.count += patterns.length;
      return;
    }
    // Locals in the hot loop (as in addDeltas); re-read after the band changes.
    let { lo, hi, kept, count } = this;
    for (let i = 0; i < patterns.length; i++) {
      const a = patterns[i]!;
      const bin = a >>> 16;
      if (bin < lo || bin > hi) continue;
      if (count === kept.length) {
        this.count = count;
        if (!this.grow()) {
          syncHist();
          this.narrow(state);
        }
        ({ lo, hi, kept, count } = this);
        if (bin < lo || bin > hi) continue;
      }
      kept[count++] = a;
    }
    this.count = count;
  }

  private grow(): boolean {
    if (this.kept.length >= this.capacity) return false;
    const bigger = new Uint32Array(Math.min(this.capacity, this.kept.length * 2));
    bigger.set(this.kept.subarray(0, this.count));
    this.kept = bigger;
    return true;
  }

  /** Shrinks the band to ≤ half the capacity around the estimated threshold bin. */
  private narrow(state: RadixState): void {
    const hist = state.hist;
    const estimate = Math.max(1, Math.round((state.k * this.seen) / this.totalElements));
    const centre = findRank(hist, estimate).bin;
    let lo = centre;
    let hi = centre;
    if (centre < this.lo || centre > this.hi || hist[centre]! > this.capacity / 2) {
      this.drop();
      return;
    }
    // Bins inside the old band have every element kept, so hist counts them exactly.
    // Symmetric in bins (the estimate is as likely low as high), one bin per side per step.
    let total = hist[centre]!;
    const half = this.capacity / 2;
    for (let grew = true; grew;) {
      grew = false;
      if (lo - 1 >= this.lo && total + hist[lo - 1]! <= half) {
        total += hist[--lo]!;
        grew = true;
      }
      if (hi + 1 <= this.hi && total + hist[hi + 1]! <= half) {
        total += hist[++hi]!;
        grew = true;
      }
    }
    this.lo = lo;
    this.hi = hi;
    const kept = this.kept;
    const count = this.count;
    let w = 0;
    // Branch-free (about half the entries leave, at random: a branch mispredicts half the
    // time): always store, advance only when the bin is in [lo, hi] (one unsigned compare).
    const span = hi - lo;
    for (let i = 0; i < count; i++) {
      const a = kept[i]!;
      kept[w] = a;
      w += +(((a >>> 16) - lo) >>> 0 <= span);
    }
    this.count = w;
  }

  private drop(): void {
    this.lo = 1;
    this.hi = 0;
    this.count = 0;
    this.kept = new Uint32Array(0);
  }

  /**
   * After pass 1 closed (state.high set, state.hist zeroed): when the band covers the high
   * bin, fills state.hist with the low-16 counts pass 2 would make and returns true.
   */
  settle(state: RadixState): boolean {
    const covered = !this.empty && state.high >= this.lo && state.high <= this.hi;
    if (covered) {
      const hist = state.hist;
      for (let i = 0; i < this.count; i++) {
        const a = this.kept[i]!;
        if (a >>> 16 === state.high) hist[a & 0xffff]!++;
      }
    }
    this.drop();
    return covered;
  }
}
