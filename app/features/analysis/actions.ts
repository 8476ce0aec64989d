/** Task-vector analysis command: the loaded fine-tunes against the chosen base, in the worker. */
import { StudioError } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio, type StudioState } from '../../store';

/** Ids of the loaded fine-tunes (every ready checkpoint except the base). */
export function fineTuneIds(s: StudioState): string[] {
  return s.checkpoints.filter((c) => c.status === 'ready' && c.id !== s.baseId).map((c) => c.id);
}

export async function runAnalysis(): Promise<void> {
  const state = useStudio.getState();
  const { baseId, taskFilter, setAnalysis } = state;
  if (!baseId) return;
  setAnalysis({ status: 'running', done: 0, total: 0 });
  try {
    const result = await studio().call(
      'analyzeTaskVectors',
      { baseId, ids: fineTuneIds(state), taskFilter },
      {
        onEvent: ({ progress }) => {
          if (progress.status === 'progress') {
            setAnalysis({ status: 'running', done: progress.done, total: progress.total });
          }
        },
      },
    );
    setAnalysis({ status: 'done', result });
  } catch (error) {
    const wire =
      error instanceof StudioError ? error.toWire() : { code: 'internal', message: String(error) };
    setAnalysis({ status: 'failed', error: wire });
  }
}
