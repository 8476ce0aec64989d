/** A point of the two-task sweep: the weights and the two accuracies they gave. */
export interface SweepPoint {
  lambdaA: number;
  lambdaB: number;
  accuracyA: number;
  accuracyB: number;
}

/**
 * Indices of the Pareto-optimal points (maximising both accuracies): no other point is at least
 * as good on both and better on one. Ties on both keep every copy.
 */
export function paretoFront(points: readonly SweepPoint[]): Set<number> {
  const front = new Set<number>();
  points.forEach((p, i) => {
    const dominated = points.some(
      (q) =>
        q.accuracyA >= p.accuracyA &&
        q.accuracyB >= p.accuracyB &&
        (q.accuracyA > p.accuracyA || q.accuracyB > p.accuracyB),
    );
    if (!dominated) front.add(i);
  });
  return front;
}

/** `steps` evenly spaced values from `min` to `max` inclusive (rounded to 3 decimals). */
export function gridValues(min: number, max: number, steps: number): number[] {
  if (steps <= 1) return [min];
  return Array.from(
    { length: steps },
    (_, i) => Math.round((min + ((max - min) * i) / (steps - 1)) * 1000) / 1000,
  );
}
