/**
 * The studio's main panels on the CLIP panel's checkpoints. What the CLIP panel loads (its
 * base, each fine-tuned tower) also becomes the checkpoint table's rows, with the base as the
 * base and CLIP's unmerged parts (text tower, projections, logit scale) as the task-specific
 * filter, so the method form, Run, Results' Evaluate, the Live slider, the sweep and the
 * analysis act on them; the worker scores them on the attached tasks (its CLIP suite). The
 * table shows one family at a time: a CLIP base replaces its rows, and Load demo replaces the
 * CLIP rows with the zoo's (in the table only: the CLIP panel keeps its checkpoints).
 */
import type { ClipModelSummary } from '../../../src/worker/clip/protocol';
import { useStudio } from '../../store';
import { useClip } from './store';
import { removeFinetune } from './actions';

/** Empties the table and Results (store only: the worker keeps what it loaded). */
function clearMainPanels(): void {
  const s = useStudio.getState();
  for (const c of s.checkpoints) s.removeCheckpointEntry(c.id);
  s.clearResults();
}

export function showClipBase(summary: ClipModelSummary): void {
  clearMainPanels();
  const s = useStudio.getState();
  const { id, name } = summary;
  s.upsertCheckpoint({ id, name, status: 'ready', summary: summary.checkpoint });
  s.setBaseId(id);
  s.setTaskFilter(summary.unmerged.join(', '));
  s.setMainOnClip(true);
  s.setDemoLoaded(false);
}

export function showClipFinetune(summary: ClipModelSummary): void {
  if (!useStudio.getState().mainOnClip) return;
  const { id, name } = summary;
  useStudio.getState().upsertCheckpoint({ id, name, status: 'ready', summary: summary.checkpoint });
}

export function dropClipEntry(id: string): void {
  if (useStudio.getState().mainOnClip) useStudio.getState().removeCheckpointEntry(id);
}

/** Merges can be evaluated once a fine-tune has its task (test set and zero-shot head). */
export function clipTasksChanged(tasks: number): void {
  if (useStudio.getState().mainOnClip) useStudio.getState().setDemoLoaded(tasks > 0);
}

/** Before the v1 demo zoo fills the table: the CLIP rows leave it. */
export function leaveClip(): void {
  if (!useStudio.getState().mainOnClip) return;
  clearMainPanels();
  useStudio.getState().setMainOnClip(false);
}

/**
 * The task a checkpoint is scored on: a CLIP fine-tune's attached task, else its own name
 * (the demo zoo names each fine-tune after its task).
 */
export function taskOfCheckpoint(name: string): string {
  if (!useStudio.getState().mainOnClip) return name;
  const entry = useClip.getState().finetunes.find((f) => f.summary?.name === name);
  return entry?.data?.summary?.task ?? name;
}

/**
 * A row of the table that is a CLIP fine-tune leaves through the CLIP panel (which drops it
 * from both); the base's row leaves the table only. True when `id` was a CLIP row.
 */
export async function removeClipRow(id: string): Promise<boolean> {
  const { base, finetunes } = useClip.getState();
  if (!useStudio.getState().mainOnClip) return false;
  const finetune = finetunes.find((f) => f.summary?.id === id);
  if (finetune) await removeFinetune(finetune.key);
  else if (base?.summary?.id === id) useStudio.getState().removeCheckpointEntry(id);
  return !!finetune || base?.summary?.id === id;
}
