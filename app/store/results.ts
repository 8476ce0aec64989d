import type { StateCreator } from 'zustand';
import type { StudioState } from './index';

/** One evaluated model of this session: a merge, or an individual fine-tune for reference. */
export interface ResultEntry {
  id: string;
  label: string;
  method: string;
  /** Task name → accuracy in [0, 1]. */
  accuracy: Record<string, number>;
  finishedAt: number;
}

export interface ResultsSlice {
  results: ResultEntry[];
  addResult(entry: ResultEntry): void;
  clearResults(): void;
}

export const createResultsSlice: StateCreator<StudioState, [], [], ResultsSlice> = (set) => ({
  results: [],
  addResult: (entry) => set((state) => ({ results: [...state.results, entry] })),
  clearResults: () => set({ results: [] }),
});
