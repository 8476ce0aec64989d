/**
 * Pause / resume between optimiser steps. A run awaits `wait()` before each step: it resolves at
 * once when not paused, otherwise when resumed, and rejects when the run's signal aborts (so a
 * paused run can still be cancelled).
 */
export class PauseToken {
  private waiters: (() => void)[] = [];
  private isPaused = false;

  get paused(): boolean {
    return this.isPaused;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.isPaused) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}
