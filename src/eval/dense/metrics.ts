/**
 * The SIMO demo's dense metrics (plain arrays, any backend's output) and ΔMTL.
 * - segmentation: mIoU (mean over classes present in the ground truth or the prediction of
 *   TP / (TP + FP + FN), from one confusion matrix over the whole set) and pixel accuracy;
 * - depth: abs-rel = mean |d − d*| / d*, RMSE = sqrt(mean (d − d*)²);
 * - normals: mean angle in degrees between the normalised prediction and the unit ground truth.
 */
export type DenseMetricName = 'mIoU' | 'pixelAcc' | 'absRel' | 'rmse' | 'meanAngle';

/** l = 1 (lower is better) for errors; ΔMTL's sign. */
export const LOWER_IS_BETTER: Record<DenseMetricName, boolean> = {
  mIoU: false,
  pixelAcc: false,
  absRel: true,
  rmse: true,
  meanAngle: true,
};

/** Per task, its metrics. */
export type TaskMetrics = Record<string, Partial<Record<DenseMetricName, number>>>;

export function segmentationMetrics(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  classes: number,
): { mIoU: number; pixelAcc: number } {
  const confusion = new Float64Array(classes * classes);
  for (let i = 0; i < truth.length; i++)
    confusion[(truth[i] ?? 0) * classes + (predicted[i] ?? 0)]! += 1;
  let correct = 0;
  let iouSum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c * classes + c]!;
    let rowSum = 0;
    let colSum = 0;
    for (let k = 0; k < classes; k++) {
      rowSum += confusion[c * classes + k]!;
      colSum += confusion[k * classes + c]!;
    }
    correct += tp;
    const union = rowSum + colSum - tp;
    if (union > 0) {
      iouSum += tp / union;
      present++;
    }
  }
  return { mIoU: iouSum / Math.max(1, present), pixelAcc: correct / Math.max(1, truth.length) };
}

export function depthMetrics(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): { absRel: number; rmse: number } {
  let rel = 0;
  let sq = 0;
  for (let i = 0; i < truth.length; i++) {
    const e = (predicted[i] ?? 0) - (truth[i] ?? 0);
    rel += Math.abs(e) / (truth[i] ?? 1);
    sq += e * e;
  }
  const n = Math.max(1, truth.length);
  return { absRel: rel / n, rmse: Math.sqrt(sq / n) };
}

/** Vectors of 3, row after row; a zero prediction counts as 90°. */
export function normalMetrics(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): { meanAngle: number } {
  let sum = 0;
  const n = Math.floor(truth.length / 3);
  for (let i = 0; i < n; i++) {
    const [px, py, pz] = [
      predicted[3 * i] ?? 0,
      predicted[3 * i + 1] ?? 0,
      predicted[3 * i + 2] ?? 0,
    ];
    const len = Math.hypot(px, py, pz);
    const dot =
      len > 0
        ? (px * (truth[3 * i] ?? 0) + py * (truth[3 * i + 1] ?? 0) + pz * (truth[3 * i + 2] ?? 0)) /
          len
        : 0;
    sum += (Math.acos(Math.min(1, Math.max(-1, dot))) * 180) / Math.PI;
  }
  return { meanAngle: sum / Math.max(1, n) };
}

/**
 * ΔMTL (%) = mean over tasks of (−1)^l · (M − M_single) / M_single × 100, a task with several
 * metrics contributing the mean over them (so each task weighs the same). Per task too.
 */
export function deltaMtl(
  metrics: TaskMetrics,
  single: TaskMetrics,
): { overall: number; perTask: Record<string, number> } {
  const perTask: Record<string, number> = {};
  for (const [task, ref] of Object.entries(single)) {
    const got = metrics[task];
    if (!got) throw new Error(`ΔMTL: task "${task}" has no metrics`);
    const terms: number[] = [];
    for (const [name, m0] of Object.entries(ref) as [DenseMetricName, number][]) {
      const m = got[name];
      if (m === undefined) throw new Error(`ΔMTL: task "${task}" lacks ${name}`);
      const sign = LOWER_IS_BETTER[name] ? -1 : 1;
      terms.push((sign * (m - m0)) / m0);
    }
    perTask[task] = (100 * terms.reduce((a, b) => a + b, 0)) / Math.max(1, terms.length);
  }
  const values = Object.values(perTask);
  return { overall: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), perTask };
}

/**
 * The task-relationship matrix: entry (i, j) is the ΔMTL over tasks i and j of their pairwise
 * merge (`pairDelta`), the diagonal 0 (a task "merged" with itself is its single-task model).
 * Symmetric; each pair is evaluated once.
 */
export async function taskRelationshipMatrix(
  tasks: readonly string[],
  pairDelta: (a: string, b: string) => Promise<number>,
): Promise<number[][]> {
  const m = tasks.map(() => tasks.map(() => 0));
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) {
      const d = await pairDelta(tasks[i]!, tasks[j]!);
      m[i]![j] = d;
      m[j]![i] = d;
    }
  }
  return m;
}
