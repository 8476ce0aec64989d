/**
 * How far a Live estimate's average may be from the full test sets: the half-width of the 95 %
 * normal interval of a mean of per-task binomial proportions, each on `images` test images,
 *   1.96 · √(Σₜ pₜ(1 − pₜ) / n) / T.
 * A task at 0 % or 100 % on the sample adds no variance by this formula; it is floored at one
 * error in n (the rule of three's spirit) so a perfect sample does not claim ±0.
 */
export function averageMargin(accuracy: Record<string, number>, images: number): number {
  const ps = Object.values(accuracy);
  if (ps.length === 0 || images <= 0) return NaN;
  const floor = (1 / images) * (1 - 1 / images);
  const variance = ps.reduce((sum, p) => sum + Math.max(p * (1 - p), floor) / images, 0);
  return (1.96 * Math.sqrt(variance)) / ps.length;
}
