/**
 * Progress of a long operation (merge, write, evaluation, download-free loading), reported
 * through a callback. A discriminated union on `status`, as transformers.js does, so a UI can
 * switch on it and a CLI can print it.
 */
export type Progress =
  | { status: 'initiate'; task: string; total?: number; totalBytes?: number }
  | {
      status: 'progress';
      task: string;
      /** Units done so far (tensors, steps, …) out of `total`. */
      done: number;
      total: number;
      bytes?: number;
      totalBytes?: number;
      /** Units (or bytes, when bytes are tracked) per second. */
      rate?: number;
      /** Estimated seconds remaining. */
      eta?: number;
    }
  | { status: 'done'; task: string; done: number; total: number; bytes?: number; seconds: number };

export type ProgressCallback = (progress: Progress) => void;

/**
 * Builds the three events for one task and computes rate and ETA from elapsed time, so every
 * long operation reports them the same way.
 */
export function progressReporter(
  task: string,
  total: number,
  onProgress: ProgressCallback | undefined,
  options: { totalBytes?: number; now?: () => number } = {},
) {
  const now = options.now ?? (() => performance.now());
  const start = now();
  let done = 0;
  let bytes = 0;
  const totalBytes = options.totalBytes;
  onProgress?.({ status: 'initiate', task, total, totalBytes });
  return {
    /** Records `units` more done (and `byteCount` more bytes) and reports it. */
    advance(units = 1, byteCount = 0): void {
      done += units;
      bytes += byteCount;
      const seconds = Math.max((now() - start) / 1000, 1e-9);
      const useBytes = totalBytes !== undefined && totalBytes > 0;
      const rate = (useBytes ? bytes : done) / seconds;
      const remaining = useBytes ? totalBytes - bytes : total - done;
      const eta = rate > 0 ? Math.max(remaining, 0) / rate : undefined;
      onProgress?.({ status: 'progress', task, done, total, bytes, totalBytes, rate, eta });
    },
    finish(): void {
      onProgress?.({ status: 'done', task, done, total, bytes, seconds: (now() - start) / 1000 });
    },
  };
}
