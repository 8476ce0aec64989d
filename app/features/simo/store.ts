/**
 * The "Dense multi-task (SIMO)" panel's state, a store of its own: the loaded pool (or its
 * one-line error), the running job, the loss curves (one series per fix and task), the last
 * good run's table, its pictures, the relationship matrix and the export.
 */
import { create } from 'zustand';
import type { JobView } from '../../lib/job';
import type {
  SimoPictures,
  SimoPoolSummary,
  SimoRunResult,
} from '../../../src/worker/simo/protocol';

/** One empty list, so selectors without a pool return the same value (no re-render loop). */
export const NO_TASKS: SimoPoolSummary['tasks'] = [];

export interface SimoState {
  pool: {
    status: 'loading' | 'ready' | 'error';
    label: string;
    summary?: SimoPoolSummary;
    error?: string;
  } | null;
  job: JobView | null;
  /** 'running' | 'paused' while a run goes; how the last one ended otherwise. */
  runStatus: 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | null;
  /** One line: why the last job failed, or that it was cancelled. */
  note: string | null;
  /** Series name ("head: seg", "representation") → loss per step. */
  losses: Record<string, number[]>;
  result: SimoRunResult | null;
  pictures: SimoPictures | null;
  relations: { tasks: string[]; matrix: number[][] } | null;
  export: { fileName: string; bytes: Uint8Array; recipeYaml: string; row: string } | null;
  set(patch: Partial<Omit<SimoState, 'set'>>): void;
}

export const useSimo = create<SimoState>()((set) => ({
  pool: null,
  job: null,
  runStatus: null,
  note: null,
  losses: {},
  result: null,
  pictures: null,
  relations: null,
  export: null,
  set: (patch) => set(patch),
}));
