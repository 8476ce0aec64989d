import type { StateCreator } from 'zustand';
import type {
  AdaMergingOptions,
  AdaMergingResult,
  EvalEvent,
  StepEvent,
} from '../../src/worker/protocol';
import type { StudioState } from './index';

export type AdaStatus = 'idle' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/** One plotted step: entropy per task (task order of the zoo) and their sum. */
export interface EntropyPoint {
  step: number;
  entropy: number[];
  total: number;
}

/** The learned merge, ready to export: the checkpoint as a Blob URL and its recipe. */
export interface AdaExport {
  fileName: string;
  url: string;
  sizeBytes: number;
  recipeYaml: string;
}

export interface AdaMergingSlice {
  adaOptions: AdaMergingOptions;
  adaStatus: AdaStatus;
  adaError: string | null;
  adaSteps: EntropyPoint[];
  adaEvals: EvalEvent[];
  /** The latest λ (T × L), as used in the forward pass. */
  adaLambdas: number[][] | null;
  adaResult: AdaMergingResult | null;
  adaExport: AdaExport | null;
  /**
   * performance.now() at Run, moved later by every pause when it ends: the step rate and ETA
   * are measured from it, so they count learning time only.
   */
  adaStartedAt: number;
  /** performance.now() when the current pause began; null while not paused. */
  adaPausedAt: number | null;
  /** The final evaluation after the last step (images done of all), once it has begun. */
  adaFinal: { done: number; total: number; startedAt: number; rate?: number; eta?: number } | null;
  setAdaFinal(final: AdaMergingSlice['adaFinal']): void;
  setAdaExport(adaExport: AdaExport | null): void;
  setAdaOptions(options: Partial<AdaMergingOptions>): void;
  adaStarted(): void;
  /** Many steps at once: the stream is batched per animation frame, not set per event. */
  adaAppend(steps: StepEvent[], evals: EvalEvent[]): void;
  adaSetStatus(status: AdaStatus, error?: string): void;
  adaFinished(result: AdaMergingResult): void;
}

export const createAdaMergingSlice: StateCreator<StudioState, [], [], AdaMergingSlice> = (set) => ({
  adaOptions: {
    mode: 'layer',
    plus: false,
    steps: 100,
    lr: 1e-3,
    init: 0.3,
    clamp: true,
    seed: 0,
    evalEvery: 25,
    // Evaluations while learning score a subset (the full sets once, at the end), so they
    // neither hold the steps up for long nor starve the page of CPU.
    evalLimit: 100,
    batchSize: 16,
  },
  adaStatus: 'idle',
  adaError: null,
  adaSteps: [],
  adaEvals: [],
  adaLambdas: null,
  adaResult: null,
  adaExport: null,
  adaStartedAt: 0,
  adaPausedAt: null,
  adaFinal: null,
  setAdaFinal: (adaFinal) => set({ adaFinal }),
  setAdaExport: (adaExport) =>
    set((s) => {
      // The previous file's bytes are no longer offered: let the browser free them.
      if (s.adaExport && s.adaExport.url !== adaExport?.url) URL.revokeObjectURL(s.adaExport.url);
      return { adaExport };
    }),
  setAdaOptions: (options) => set((s) => ({ adaOptions: { ...s.adaOptions, ...options } })),
  adaStarted: () =>
    set({
      adaStatus: 'running',
      adaError: null,
      adaSteps: [],
      adaEvals: [],
      adaLambdas: null,
      adaResult: null,
      adaStartedAt: performance.now(),
      adaPausedAt: null,
      adaFinal: null,
    }),
  adaAppend: (steps, evals) =>
    set((s) => {
      const last = steps[steps.length - 1];
      return {
        adaSteps: [
          ...s.adaSteps,
          ...steps.map((e) => ({ step: e.step, entropy: e.lossPerTask, total: e.entropyTotal })),
        ],
        adaEvals: evals.length ? [...s.adaEvals, ...evals] : s.adaEvals,
        adaLambdas: last ? last.lambdas : s.adaLambdas,
      };
    }),
  adaSetStatus: (adaStatus, error) =>
    set((s) => {
      const now = performance.now();
      const wasPaused = s.adaPausedAt !== null;
      const pausing = adaStatus === 'paused' && !wasPaused;
      const resuming = adaStatus !== 'paused' && wasPaused;
      return {
        adaStatus,
        adaError: error ?? null,
        adaPausedAt: pausing ? now : resuming ? null : s.adaPausedAt,
        adaStartedAt: resuming ? s.adaStartedAt + (now - s.adaPausedAt!) : s.adaStartedAt,
      };
    }),
  adaFinished: (adaResult) => set({ adaStatus: 'done', adaResult, adaLambdas: adaResult.lambdas }),
});
