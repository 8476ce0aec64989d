/**
 * How many images per task the live estimate can score within a time budget, from the
 * measured speed of recent scoring passes. A fast device gets the full estimate; a slow or busy
 * one a smaller (but never meaningless) sample, so the first numbers still come quickly.
 */

/** Fewer images than this per task would make the estimate meaningless. */
export const MIN_ESTIMATE = 16;

export class EstimateSizer {
  /** Milliseconds per scored image (all tasks counted), smoothed over recent passes. */
  msPerImage: number | null = null;

  observe(ms: number, images: number): void {
    if (images <= 0 || !Number.isFinite(ms)) return;
    const x = ms / images;
    this.msPerImage = this.msPerImage === null ? x : 0.5 * this.msPerImage + 0.5 * x;
  }

  /**
   * Images per task: at most `max`; with a budget, as many as fit in `budgetMs` at the recent
   * speed, in steps of 8 (few distinct batches get cached), at least MIN_ESTIMATE.
   */
  size(max: number, tasks: number, budgetMs: number | undefined): number {
    if (max <= 0 || budgetMs === undefined || this.msPerImage === null) return max;
    const fits = Math.floor(budgetMs / (this.msPerImage * tasks) / 8) * 8;
    return Math.min(max, Math.max(MIN_ESTIMATE, fits));
  }
}
