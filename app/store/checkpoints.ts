import type { StateCreator } from 'zustand';
import type { CheckpointSummary, CompatibilityReport, WireError } from '../../src/worker/protocol';
import type { StudioState } from './index';

/** One row of the checkpoint table: loading, loaded, or failed (with the error beside it). */
export type CheckpointEntry =
  | { id: string; name: string; status: 'loading' }
  | { id: string; name: string; status: 'ready'; summary: CheckpointSummary }
  | { id: string; name: string; status: 'error'; error: WireError };

export type CompatibilityState =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'done'; report: CompatibilityReport }
  | { status: 'failed'; error: WireError };

export const DEFAULT_TASK_FILTER = 'heads.';

export interface CheckpointsSlice {
  checkpoints: CheckpointEntry[];
  baseId: string | null;
  /** Substring that marks task-specific tensors (heads, decoders); they may differ. */
  taskFilter: string;
  compatibility: CompatibilityState;
  upsertCheckpoint(entry: CheckpointEntry): void;
  removeCheckpointEntry(id: string): void;
  setBaseId(id: string | null): void;
  setTaskFilter(filter: string): void;
  setCompatibility(state: CompatibilityState): void;
}

function firstReadyId(entries: CheckpointEntry[]): string | null {
  return entries.find((entry) => entry.status === 'ready')?.id ?? null;
}

export const createCheckpointsSlice: StateCreator<StudioState, [], [], CheckpointsSlice> = (
  set,
) => ({
  checkpoints: [],
  baseId: null,
  taskFilter: DEFAULT_TASK_FILTER,
  compatibility: { status: 'idle' },
  upsertCheckpoint: (entry) =>
    set((state) => {
      const exists = state.checkpoints.some((c) => c.id === entry.id);
      const checkpoints = exists
        ? state.checkpoints.map((c) => (c.id === entry.id ? entry : c))
        : [...state.checkpoints, entry];
      // The first loaded checkpoint becomes the base until the user picks another.
      const baseId = state.baseId ?? firstReadyId(checkpoints);
      return { checkpoints, baseId };
    }),
  removeCheckpointEntry: (id) =>
    set((state) => {
      const checkpoints = state.checkpoints.filter((c) => c.id !== id);
      const baseId = state.baseId === id ? firstReadyId(checkpoints) : state.baseId;
      return { checkpoints, baseId };
    }),
  setBaseId: (baseId) => set({ baseId }),
  setTaskFilter: (taskFilter) => set({ taskFilter }),
  setCompatibility: (compatibility) => set({ compatibility }),
});
