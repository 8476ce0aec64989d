/**
 * "Load demo" teaches in one click: once the zoo is loaded it merges with the form's initial
 * values (the papers' settings) and evaluates that merge with both references at once.
 */
import { useStudio } from '../../store';
import { startMerge } from '../run/actions';
import { evaluateLastMerge } from './actions';

/** The method form is generated from the worker's list: wait until it has arrived. */
export function methodsListed(): Promise<void> {
  if (useStudio.getState().methods.length > 0) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = useStudio.subscribe((s) => {
      if (s.methods.length === 0) return;
      stop();
      resolve();
    });
  });
}

export async function mergeAndEvaluateDemo(): Promise<void> {
  await methodsListed();
  const merged = await startMerge({ kind: 'memory', fileName: 'merged.safetensors' });
  if (merged) await evaluateLastMerge();
}
