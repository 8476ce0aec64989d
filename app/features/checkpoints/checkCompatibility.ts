import { isCancelled, StudioError } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';

/**
 * Re-checks the loaded checkpoints against the base. The caller aborts the previous check
 * when inputs change (typing in the filter), so only the latest answer lands in the store.
 */
export async function checkCompatibility(signal: AbortSignal): Promise<void> {
  const { checkpoints, baseId, taskFilter, setCompatibility } = useStudio.getState();
  const ids = checkpoints.filter((c) => c.status === 'ready').map((c) => c.id);
  if (!baseId || ids.length < 2) {
    setCompatibility({ status: 'idle' });
    return;
  }
  setCompatibility({ status: 'checking' });
  try {
    const report = await studio().call(
      'checkCompatibility',
      { ids, baseId, taskFilter },
      { signal },
    );
    setCompatibility({ status: 'done', report });
  } catch (error) {
    if (isCancelled(error)) return;
    const wire =
      error instanceof StudioError ? error.toWire() : { code: 'internal', message: String(error) };
    setCompatibility({ status: 'failed', error: wire });
  }
}
