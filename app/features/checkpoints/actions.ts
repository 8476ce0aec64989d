/**
 * Checkpoint commands: each goes to the worker through the client and records the outcome in
 * the store. Components call these; they never talk to the worker themselves.
 */
import type { CheckpointInput } from '../../../src/worker/protocol';
import { StudioError } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';

export async function loadCheckpoints(inputs: CheckpointInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const { upsertCheckpoint } = useStudio.getState();
  try {
    await studio().call(
      'loadCheckpoints',
      { inputs },
      {
        onEvent: (event) => {
          if (event.type === 'checkpointPending') {
            upsertCheckpoint({ id: event.id, name: event.name, status: 'loading' });
          } else if (event.type === 'checkpointLoaded') {
            const { summary } = event;
            upsertCheckpoint({ id: summary.id, name: summary.name, status: 'ready', summary });
          } else if (event.type === 'checkpointFailed') {
            upsertCheckpoint({
              id: event.id,
              name: event.name,
              status: 'error',
              error: event.error,
            });
          }
        },
      },
    );
  } catch (error) {
    // Per-file problems arrive as checkpointFailed events; this is the whole request failing.
    const wire =
      error instanceof StudioError ? error.toWire() : { code: 'internal', message: String(error) };
    upsertCheckpoint({ id: `load-${Date.now()}`, name: 'Loading', status: 'error', error: wire });
  }
}

export async function removeCheckpoint(id: string): Promise<void> {
  useStudio.getState().removeCheckpointEntry(id);
  // Failed rows were never registered in the worker; removing them there is a no-op.
  await studio()
    .call('removeCheckpoint', { id })
    .catch(() => undefined);
}
