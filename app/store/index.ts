/**
 * The studio's one store, combined from typed slices. Components select one value per hook
 * (or use useShallow); high-rate streams go through `useStudio.subscribe` outside React.
 */
import { create } from 'zustand';
import { createAdaMergingSlice, type AdaMergingSlice } from './adamerging';
import { createAnalysisSlice, type AnalysisSlice } from './analysis';
import { createSweepSlice, type SweepSlice } from './sweep';
import { createCheckpointsSlice, type CheckpointsSlice } from './checkpoints';
import { createEnvironmentSlice, type EnvironmentSlice } from './environment';
import { createMethodSlice, type MethodSlice } from './method';
import { createResultsSlice, type ResultsSlice } from './results';
import { createRunSlice, type RunSlice } from './run';

export type StudioState = EnvironmentSlice &
  CheckpointsSlice &
  MethodSlice &
  RunSlice &
  ResultsSlice &
  AdaMergingSlice &
  AnalysisSlice &
  SweepSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...createEnvironmentSlice(...a),
  ...createCheckpointsSlice(...a),
  ...createMethodSlice(...a),
  ...createRunSlice(...a),
  ...createResultsSlice(...a),
  ...createAdaMergingSlice(...a),
  ...createAnalysisSlice(...a),
  ...createSweepSlice(...a),
}));

export type { CheckpointEntry, CompatibilityState } from './checkpoints';
export type { ParamValue } from './method';
export type { ResultEntry, TaskInfo } from './results';
export type { RunStatus } from './run';
export type { AdaStatus, EntropyPoint } from './adamerging';
export type { AnalysisState } from './analysis';
export type { SweepSettings, SweepStatus } from './sweep';
