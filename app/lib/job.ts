/**
 * A long job as the UI shows it: what phase it is in, units done of total, and the rate and
 * ETA — the worker's when its progress event carries them, else measured here from the wall
 * clock since the job (or phase) started.
 */
export interface JobView {
  /** What is happening now, e.g. "Evaluating Base + task heads (2 of 3)". */
  phase: string;
  done: number;
  /** 0 while the total is not known yet (an indeterminate bar, no ETA). */
  total: number;
  /** What is counted: "images", "steps", "points", "tensors". */
  unit: string;
  /** performance.now() when the counting started. */
  startedAt: number;
  /** Units per second and seconds left, when the worker measured them. */
  rate?: number;
  eta?: number;
}

/** Rate (units/s) and ETA (s): the job's own, else done over the time elapsed since its start. */
export function rateAndEta(job: JobView, now: number): { rate: number | null; eta: number | null } {
  if (job.rate !== undefined && job.rate > 0) {
    const eta = job.eta ?? (job.total > 0 ? Math.max(job.total - job.done, 0) / job.rate : null);
    return { rate: job.rate, eta };
  }
  const seconds = (now - job.startedAt) / 1000;
  if (job.done <= 0 || seconds <= 0) return { rate: null, eta: null };
  const rate = job.done / seconds;
  const eta = job.total > 0 ? Math.max(job.total - job.done, 0) / rate : null;
  return { rate, eta };
}
