import type { StateCreator } from 'zustand';
import type { SweepPoint } from '../features/sweep/pareto';
import type { StudioState } from './index';

export type SweepStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface SweepSettings {
  /** Checkpoint ids of the two fine-tunes whose weights are swept. */
  taskA: string | null;
  taskB: string | null;
  min: number;
  max: number;
  /** Grid values per axis (steps × steps merges). */
  steps: number;
  /** Test images per task for each point (fewer = faster sweep). */
  limit: number;
}

export interface SweepSlice {
  sweepSettings: SweepSettings;
  sweepStatus: SweepStatus;
  sweepPoints: SweepPoint[];
  sweepTotal: number;
  /** performance.now() when the sweep started: its rate and ETA. */
  sweepStartedAt: number;
  sweepError: string | null;
  /** Task names (accuracy keys) of the last sweep's axes. */
  sweepAxes: [string, string] | null;
  /** Where the evaluations ran (webgpu, wasm, cpu), once known. */
  sweepDevice: string | null;
  setSweepDevice(device: string): void;
  setSweepSettings(patch: Partial<SweepSettings>): void;
  sweepStarted(total: number, axes: [string, string]): void;
  sweepAdd(point: SweepPoint): void;
  sweepFinished(status: Exclude<SweepStatus, 'idle' | 'running'>, error?: string): void;
}

export const createSweepSlice: StateCreator<StudioState, [], [], SweepSlice> = (set) => ({
  sweepSettings: { taskA: null, taskB: null, min: 0, max: 1, steps: 5, limit: 200 },
  sweepStatus: 'idle',
  sweepPoints: [],
  sweepTotal: 0,
  sweepStartedAt: 0,
  sweepError: null,
  sweepAxes: null,
  sweepDevice: null,
  setSweepDevice: (sweepDevice) => set({ sweepDevice }),
  setSweepSettings: (patch) =>
    set((state) => ({ sweepSettings: { ...state.sweepSettings, ...patch } })),
  sweepStarted: (sweepTotal, sweepAxes) =>
    set({
      sweepStatus: 'running',
      sweepPoints: [],
      sweepTotal,
      sweepAxes,
      sweepError: null,
      sweepStartedAt: performance.now(),
    }),
  sweepAdd: (point) => set((state) => ({ sweepPoints: [...state.sweepPoints, point] })),
  sweepFinished: (sweepStatus, sweepError) => set({ sweepStatus, sweepError: sweepError ?? null }),
});
