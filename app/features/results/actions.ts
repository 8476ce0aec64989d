/**
 * Evaluation commands: per-task accuracy on the demo zoo's test sets, recorded as result rows.
 * The fine-tunes' own scores are measured once, as the reference row.
 */
import { StudioError } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';

async function evaluate(target: 'merged' | 'individuals', label: string, method: string) {
  const { setEvaluating } = useStudio.getState();
  setEvaluating(label);
  try {
    const result = await studio().call('evaluate', { target, label });
    useStudio.getState().addResult(
      {
        id: `${Date.now()}-${label}`,
        label,
        method,
        accuracy: result.accuracy,
        finishedAt: Date.now(),
      },
      result.tasks,
    );
  } finally {
    setEvaluating(null);
  }
}

/** A short, readable label: the method and the values that differ from its defaults. */
function mergeLabel(): { label: string; method: string } {
  const state = useStudio.getState();
  const method = state.methods.find((m) => m.name === state.methodName);
  const changed = Object.entries(state.globalParams).map(([k, v]) => `${k}=${v}`);
  const name = method?.prettyName ?? 'Merge';
  const number = state.results.filter((r) => r.method !== 'individual').length + 1;
  const label = `#${number} ${name}${changed.length ? ` (${changed.join(', ')})` : ''}`;
  return { label, method: method?.name ?? 'merge' };
}

/** Evaluates the last merge (and, the first time, the fine-tunes as the reference). */
export async function evaluateLastMerge(): Promise<string | null> {
  try {
    if (!useStudio.getState().results.some((r) => r.method === 'individual')) {
      await evaluate('individuals', 'Individual fine-tunes', 'individual');
    }
    const { label, method } = mergeLabel();
    await evaluate('merged', label, method);
    return null;
  } catch (error) {
    return error instanceof StudioError || error instanceof Error ? error.message : String(error);
  }
}
