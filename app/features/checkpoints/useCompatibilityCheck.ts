import { useEffect } from 'react';
import { useStudio } from '../../store';
import { checkCompatibility } from './checkCompatibility';

/** Which checkpoints are ready, as one string, so the effect reruns only when that changes. */
const readyKey = (s: ReturnType<typeof useStudio.getState>) =>
  s.checkpoints
    .filter((c) => c.status === 'ready')
    .map((c) => c.id)
    .join('|');

/** Keeps the compatibility report in step with the checkpoints, base and filter. */
export function useCompatibilityCheck(): void {
  const ready = useStudio(readyKey);
  const baseId = useStudio((s) => s.baseId);
  const taskFilter = useStudio((s) => s.taskFilter);
  useEffect(() => {
    const controller = new AbortController();
    // A short pause lets the user finish typing the filter before the worker is asked.
    const timer = setTimeout(() => void checkCompatibility(controller.signal), 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [ready, baseId, taskFilter]);
}
