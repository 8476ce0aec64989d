import type { StateCreator } from 'zustand';
import type { JobView } from '../lib/job';
import type { StudioState } from './index';

/**
 * One evaluated model of this session: a merge, or a reference — the base through each task's
 * head (`method: 'base'`, zero-shot) or each fine-tune on its own task (`'individual'`).
 */
export interface ResultEntry {
  id: string;
  label: string;
  method: string;
  /** Task name → accuracy in [0, 1]. */
  accuracy: Record<string, number>;
  finishedAt: number;
  /** Test images per task behind the numbers (the live row starts on a subset). */
  images?: number;
  /** True while the numbers are a quick estimate on a subset; the full sets follow. */
  estimate?: boolean;
  /** A second row of a merge already numbered (an EMR merge's unified model). */
  companion?: boolean;
}

export interface TaskInfo {
  name: string;
  title: string;
}

export interface ResultsSlice {
  results: ResultEntry[];
  /** The tasks results are measured on (from the demo zoo), in its order. */
  resultTasks: TaskInfo[];
  /** Something is being evaluated (a label for the status line), or null. */
  evaluating: string | null;
  /** The evaluation job started by Evaluate / Load demo: phase, images done, rate; or null. */
  evaluation: JobView | null;
  setEvaluation(job: JobView | null): void;
  /** How the last evaluation job ended when not well (cancelled, an error), for its status line. */
  evaluationNote: string | null;
  setEvaluationNote(note: string | null): void;
  /**
   * True once checkpoints with test sets are loaded — the demo zoo's, or the CLIP panel's with
   * a task attached: merges can then be evaluated.
   */
  demoLoaded: boolean;
  /** True while the main panels act on the CLIP panel's checkpoints (not the v1 demo zoo). */
  mainOnClip: boolean;
  setMainOnClip(on: boolean): void;
  addResult(entry: ResultEntry, tasks: TaskInfo[]): void;
  /** Adds or replaces the entry with this id (the live exploration row). */
  upsertResult(entry: ResultEntry, tasks: TaskInfo[]): void;
  /** Re-merge and re-evaluate in the background whenever the method settings change. */
  liveExplore: boolean;
  setLiveExplore(on: boolean): void;
  setEvaluating(label: string | null): void;
  setDemoLoaded(loaded: boolean): void;
  clearResults(): void;
}

/** References first (base, then the fine-tunes), then merges in the order they were made. */
const RANK: Record<string, number> = { base: 0, individual: 1 };
const ordered = (results: ResultEntry[]) =>
  [...results].sort((a, b) => (RANK[a.method] ?? 2) - (RANK[b.method] ?? 2));

export const createResultsSlice: StateCreator<StudioState, [], [], ResultsSlice> = (set) => ({
  results: [],
  resultTasks: [],
  evaluating: null,
  evaluation: null,
  setEvaluation: (evaluation) => set({ evaluation }),
  evaluationNote: null,
  setEvaluationNote: (evaluationNote) => set({ evaluationNote }),
  demoLoaded: false,
  mainOnClip: false,
  setMainOnClip: (mainOnClip) => set({ mainOnClip }),
  addResult: (entry, tasks) =>
    set((state) => ({ results: ordered([...state.results, entry]), resultTasks: tasks })),
  setEvaluating: (evaluating) => set({ evaluating }),
  upsertResult: (entry, tasks) =>
    set((state) => {
      const exists = state.results.some((r) => r.id === entry.id);
      const results = exists
        ? state.results.map((r) => (r.id === entry.id ? entry : r))
        : [...state.results, entry];
      return { results: ordered(results), resultTasks: tasks };
    }),
  liveExplore: false,
  setLiveExplore: (liveExplore) => set({ liveExplore }),
  setDemoLoaded: (demoLoaded) => set({ demoLoaded }),
  clearResults: () => set({ results: [] }),
});
