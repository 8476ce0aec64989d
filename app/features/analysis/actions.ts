/** Task-vector analysis command: the loaded fine-tunes against the chosen base, in the worker. */
import { isCancelled, StudioError } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio, type StudioState } from '../../store';

/** Ids of the loaded fine-tunes (every ready checkpoint except the base). */
export function fineTuneIds(s: StudioState): string[] {
  return s.checkpoints.filter((c) => c.status === 'ready' && c.id !== s.baseId).map((c) => c.id);
}

let running: AbortController | null = null;

export async function runAnalysis(): Promise<void> {
  const state = useStudio.getState();
  const { baseId, taskFilter, setAnalysis } = state;
  if (!baseId || running) return;
  const controller = new AbortController();
  running = controller;
  const startedAt = performance.now();
  setAnalysis({ status: 'running', done: 0, total: 0, startedAt });
  try {
    const result = await studio().call(
      'analyzeTaskVectors',
      { baseId, ids: fineTuneIds(state), taskFilter },
      {
        signal: controller.signal,
        onEvent: ({ progress }) => {
          if (progress.status === 'progress') {
            const { done, total, rate, eta } = progress;
            setAnalysis({ status: 'running', done, total, startedAt, rate, eta });
          }
        },
      },
    );
    setAnalysis({ status: 'done', result });
  } catch (error) {
    if (isCancelled(error)) return setAnalysis({ status: 'cancelled' });
    const wire =
      error instanceof StudioError ? error.toWire() : { code: 'internal', message: String(error) };
    setAnalysis({ status: 'failed', error: wire });
  } finally {
    running = null;
  }
}

export function cancelAnalysis(): void {
  running?.abort();
}
