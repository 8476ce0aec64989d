import type { StateCreator } from 'zustand';
import type { Progress, WireError } from '../../src/worker/protocol';
import type { StudioState } from './index';

export type RunStatus = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RunSlice {
  runStatus: RunStatus;
  /** What the current (or last) run is doing; null before the first progress event. */
  runProgress: Progress | null;
  runError: WireError | null;
  runStarted(): void;
  runProgressed(progress: Progress): void;
  runFinished(status: Exclude<RunStatus, 'idle' | 'running'>, error?: WireError): void;
}

export const createRunSlice: StateCreator<StudioState, [], [], RunSlice> = (set) => ({
  runStatus: 'idle',
  runProgress: null,
  runError: null,
  runStarted: () => set({ runStatus: 'running', runProgress: null, runError: null }),
  runProgressed: (runProgress) => set({ runProgress }),
  runFinished: (runStatus, error) => set({ runStatus, runError: error ?? null }),
});
