/**
 * The "Your own CLIP models" page's state, a store of its own (the demo's slices stay as
 * they are): the base and fine-tune entries (each with its own status and error, so a bad
 * entry never clears a good one), the accuracy rows, the running job and the AdaMerging run.
 */
import { create } from 'zustand';
import type { JobView } from '../../lib/job';
import type { ResultEntry, TaskInfo } from '../../store';
import type { ClipDemoProbe } from '../../../src/worker/demo/clip-zoo';
import type {
  ClipFootprintReport,
  ClipModelSummary,
  ClipTaskSummary,
} from '../../../src/worker/clip/protocol';

export type EntryStatus = 'loading' | 'ready' | 'error';

export interface ModelEntry {
  /** Local key (the worker's id arrives with the summary). */
  key: string;
  label: string;
  status: EntryStatus;
  summary?: ClipModelSummary;
  error?: string;
}

export interface FinetuneEntry extends ModelEntry {
  task: string;
  data?: { status: EntryStatus; label: string; summary?: ClipTaskSummary; error?: string };
}

export interface AdaRun {
  status: 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
  /** Entropy per task, step by step. */
  steps: { step: number; entropy: number[] }[];
  /** The last λ (T × L). */
  lambdas?: number[][];
  note?: string;
  export?: { fileName: string; bytes: Uint8Array; recipeYaml: string; configJson: string };
}

/** The published CLIP demo zoo, while it is what the panel has loaded. */
export interface ClipDemoNote {
  name: string;
  /** A smoke zoo is a toy for tests: its accuracies mean nothing. */
  scale: 'smoke' | 'full';
  seed: number;
  /** Each task's image source and licence (the zoo's manifest). */
  tasks: { name: string; source: string; licence: string }[];
  /** The λ the demo's task-arithmetic row was computed at; the panel's λ field starts there. */
  lambda: number;
}

export interface ClipState {
  base: ModelEntry | null;
  finetunes: FinetuneEntry[];
  rows: ResultEntry[];
  tasks: TaskInfo[];
  job: JobView | null;
  /** How the last job ended when not well, beside the buttons that start jobs. */
  jobNote: string | null;
  ada: AdaRun | null;
  /** What AdaMerging will hold on the device, against the adapter's limit. */
  footprint: ClipFootprintReport | null;
  demo: ClipDemoNote | null;
  /** Whether the demo is published here (null until the worker has looked). */
  demoProbe: ClipDemoProbe | null;
  /** True from the header's Load demo until its main-panel merge is evaluated. */
  demoStarting: boolean;
  set(patch: Partial<Omit<ClipState, 'set'>>): void;
  updateFinetune(key: string, patch: Partial<FinetuneEntry>): void;
  /** Adds or replaces the row with this id. */
  upsertRow(row: ResultEntry): void;
}

export const useClip = create<ClipState>()((set) => ({
  base: null,
  finetunes: [],
  rows: [],
  tasks: [],
  job: null,
  jobNote: null,
  ada: null,
  footprint: null,
  demo: null,
  demoProbe: null,
  demoStarting: false,
  set: (patch) => set(patch),
  updateFinetune: (key, patch) =>
    set((s) => ({ finetunes: s.finetunes.map((f) => (f.key === key ? { ...f, ...patch } : f)) })),
  upsertRow: (row) =>
    set((s) => {
      const at = s.rows.findIndex((r) => r.id === row.id);
      if (at < 0) return { rows: [...s.rows, row] };
      const rows = [...s.rows];
      rows[at] = row;
      return { rows };
    }),
}));
