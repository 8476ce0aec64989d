import type { StateCreator } from 'zustand';
import type { MergeOutcome, Progress, Recipe, WireError } from '../../src/worker/protocol';
import type { StudioState } from './index';

export type RunStatus = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** A finished merge: its numbers, and a download URL when it was merged into memory. */
export interface MergeResult {
  outcome: Omit<MergeOutcome, 'bytes' | 'modulators'>;
  downloadUrl: string | null;
  /** An EMR merge's per-task modulators file (a download beside the merged file); else null. */
  modulators: { fileName: string; url: string; rescalers: number[] } | null;
  /** The recipe it was made from, captured when Merge was pressed (not the form now). */
  recipe: Recipe;
  /** performance.now() when it finished: evaluations know which merge they scored. */
  finishedAt: number;
}

export interface RunSlice {
  lastMerge: MergeResult | null;
  runStatus: RunStatus;
  /** What the current (or last) run is doing; null before the first progress event. */
  runProgress: Progress | null;
  /** performance.now() when the current (or last) run started: its rate and ETA. */
  runStartedAt: number;
  runError: WireError | null;
  /**
   * Runs started so far: the status line carries it (data-run), so a test that presses Merge
   * waits for that run's "Merged." rather than an earlier run's (Load demo merges too).
   */
  runCount: number;
  runStarted(): void;
  runProgressed(progress: Progress): void;
  runFinished(status: Exclude<RunStatus, 'idle' | 'running'>, error?: WireError): void;
  setLastMerge(result: MergeResult | null): void;
}

export const createRunSlice: StateCreator<StudioState, [], [], RunSlice> = (set) => ({
  lastMerge: null,
  runStatus: 'idle',
  runProgress: null,
  runError: null,
  runStartedAt: 0,
  runCount: 0,
  runStarted: () =>
    set((state) => ({
      runCount: state.runCount + 1,
      runStatus: 'running',
      runProgress: null,
      runError: null,
      runStartedAt: performance.now(),
    })),
  runProgressed: (runProgress) => set({ runProgress }),
  runFinished: (runStatus, error) => set({ runStatus, runError: error ?? null }),
  setLastMerge: (lastMerge) =>
    set((state) => {
      // The old merged file's memory is released with its URL.
      if (state.lastMerge?.downloadUrl) URL.revokeObjectURL(state.lastMerge.downloadUrl);
      if (state.lastMerge?.modulators) URL.revokeObjectURL(state.lastMerge.modulators.url);
      return { lastMerge };
    }),
});
