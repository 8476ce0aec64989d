/**
 * What the SIMO panel has loaded, kept on the StudioSession: the pool and, once a run has
 * succeeded, its options, table and models (single-task, merged, re-aligned). A run replaces
 * `last` only when it finishes, so a cancelled or failed run leaves the previous one intact.
 */
import type { LoadedSimoPool, PauseToken, SimoModel } from '../../adapt';
import type { SimoPoolSummary, SimoRunOptions, SimoRunResult } from './protocol';

export interface SimoLastRun {
  options: SimoRunOptions;
  result: SimoRunResult;
  /** Table row name → the model evaluated for it (the merge and each fix). */
  models: Map<string, SimoModel>;
}

export class SimoStudioState {
  pool: LoadedSimoPool | null = null;
  summary: SimoPoolSummary | null = null;
  last: SimoLastRun | null = null;
  /** The running fix's pause token, null when no run is going. */
  pause: PauseToken | null = null;

  thePool(): LoadedSimoPool {
    if (!this.pool) throw simoError('no-simo-pool', 'Load a SIMO pool first (Load SIMO demo).');
    return this.pool;
  }

  theLastRun(): SimoLastRun {
    if (!this.last) throw simoError('no-simo-run', 'Run SIMO first: nothing to show yet.');
    return this.last;
  }
}

/** An error the panel shows as it is: a code and one sentence. */
export function simoError(code: string, message: string, file?: string): Error {
  return Object.assign(new Error(message), { code, ...(file ? { file } : {}) });
}
