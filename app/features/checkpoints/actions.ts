/**
 * Checkpoint commands: each goes to the worker through the client and records the outcome in
 * the store. Components call these; they never talk to the worker themselves.
 */
import type { CheckpointInput, EventOf } from '../../../src/worker/protocol';
import { StudioError } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';
import { mergeAndEvaluateDemo } from '../results/demoRun';
import { leaveClip, removeClipRow } from '../clip/mainPanels';

/** Rows appear as the worker announces them and fill in as each checkpoint is read. */
function onLoadEvent(event: EventOf<'loadCheckpoints'>): void {
  const { upsertCheckpoint } = useStudio.getState();
  if (event.type === 'checkpointPending') {
    upsertCheckpoint({ id: event.id, name: event.name, status: 'loading' });
  } else if (event.type === 'checkpointLoaded') {
    const { summary } = event;
    upsertCheckpoint({ id: summary.id, name: summary.name, status: 'ready', summary });
  } else if (event.type === 'checkpointFailed') {
    upsertCheckpoint({ id: event.id, name: event.name, status: 'error', error: event.error });
  }
}

/** Per-file problems arrive as checkpointFailed events; this is a whole request failing. */
function showRequestFailure(name: string, error: unknown): void {
  const wire =
    error instanceof StudioError ? error.toWire() : { code: 'internal', message: String(error) };
  const id = `failed-${Date.now()}`;
  useStudio.getState().upsertCheckpoint({ id, name, status: 'error', error: wire });
}

export async function loadCheckpoints(inputs: CheckpointInput[]): Promise<void> {
  if (inputs.length === 0) return;
  try {
    await studio().call('loadCheckpoints', { inputs }, { onEvent: onLoadEvent });
  } catch (error) {
    showRequestFailure('Loading', error);
  }
}

/**
 * The v1 toy zoo (`?demo=v1`): its base becomes the base and its head prefix the task-specific
 * filter; then it is merged with the form's initial values and evaluated, with no further click.
 */
export async function loadDemo(): Promise<void> {
  let loaded = false;
  leaveClip();
  // Its task titles (the AdaMerging charts' legends) come from the probe.
  await probeDemo();
  try {
    const result = await studio().call('loadDemo', {}, { onEvent: onLoadEvent });
    const { setBaseId, setTaskFilter, setDemoLoaded } = useStudio.getState();
    if (result.baseId) setBaseId(result.baseId);
    setTaskFilter(result.headPrefix);
    loaded = result.ids.length > 0;
    setDemoLoaded(loaded);
  } catch (error) {
    showRequestFailure('Demo zoo', error);
  }
  if (loaded) await mergeAndEvaluateDemo();
}

export async function probeDemo(): Promise<void> {
  const demo = await studio()
    .call('probeDemo', {})
    .catch((error: unknown) => ({ available: false as const, reason: String(error) }));
  useStudio.getState().setDemo(demo);
}

export async function removeCheckpoint(id: string): Promise<void> {
  if (await removeClipRow(id)) return;
  useStudio.getState().removeCheckpointEntry(id);
  // Failed rows were never registered in the worker; removing them there is a no-op.
  await studio()
    .call('removeCheckpoint', { id })
    .catch(() => undefined);
}
