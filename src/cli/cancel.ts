/**
 * Why a run was cancelled, carried as the AbortSignal's reason: the cause a user sees
 * ("SIGTERM", "output closed") and the exit code a shell expects (128 + signal number).
 */
export class CancelReason extends Error {
  constructor(
    readonly why: string,
    readonly exitCode: number,
  ) {
    super(`merge cancelled (${why})`);
    this.name = 'AbortError';
  }
}

/** 128 + the signal's number, as a shell reports a process killed by it. */
export const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, SIGPIPE: 141 } as const;

export const cancelReason = (signal: AbortSignal): string =>
  signal.reason instanceof CancelReason ? signal.reason.why : 'aborted';

export const cancelExitCode = (signal: AbortSignal): number =>
  signal.reason instanceof CancelReason ? signal.reason.exitCode : SIGNAL_EXIT_CODES.SIGINT;
