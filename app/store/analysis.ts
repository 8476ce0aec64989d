import type { StateCreator } from 'zustand';
import type { TaskVectorAnalysis, WireError } from '../../src/worker/protocol';
import type { StudioState } from './index';

export type AnalysisState =
  | { status: 'idle' }
  | {
      status: 'running';
      done: number;
      total: number;
      startedAt: number;
      rate?: number;
      eta?: number;
    }
  | { status: 'cancelled' }
  | { status: 'done'; result: TaskVectorAnalysis }
  | { status: 'failed'; error: WireError };

export interface AnalysisSlice {
  /** The task-vector analysis of the loaded fine-tunes against the base. */
  analysis: AnalysisState;
  setAnalysis(state: AnalysisState): void;
}

export const createAnalysisSlice: StateCreator<StudioState, [], [], AnalysisSlice> = (set) => ({
  analysis: { status: 'idle' },
  setAnalysis: (analysis) => set({ analysis }),
});
