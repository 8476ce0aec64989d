/**
 * The SIMO panel's commands: load the pool (demo or folder), run the table (one job at a
 * time, Cancel through an AbortController kept here, Pause through the worker), then fetch
 * the pictures of the fixed test images; the relationship matrix and the export on request.
 * A run that fails or is cancelled leaves the previous table and pictures on screen.
 */
import { isCancelled, StudioError } from '../../../src/worker/errors';
import type { CheckpointInput, Progress } from '../../../src/worker/protocol';
import type { SimoRunEvent, SimoRunOptions } from '../../../src/worker/simo/protocol';
import type { JobView } from '../../lib/job';
import { studio } from '../../services/studio';
import { useSimo } from './store';

/** The test scenes the pictures show (fixed, so runs compare). */
export const PICTURE_IMAGES = [0, 1, 2];

let job: AbortController | null = null;

const message = (error: unknown) =>
  error instanceof StudioError || error instanceof Error ? error.message : String(error);

const seriesOf = (task: string) => (task === 'all' ? 'representation' : `head: ${task}`);

function progressed(view: JobView, progress: Progress): JobView {
  if (progress.status === 'initiate') return { ...view, phase: progress.task };
  return { ...view, phase: progress.task, done: progress.done, total: progress.total };
}

async function asJob(phase: string, unit: string, work: (signal: AbortSignal) => Promise<void>) {
  job?.abort();
  const controller = new AbortController();
  job = controller;
  useSimo.getState().set({
    note: null,
    job: { phase, done: 0, total: 0, unit, startedAt: performance.now() },
  });
  try {
    await work(controller.signal);
  } catch (error) {
    useSimo.getState().set({ note: isCancelled(error) ? 'Cancelled.' : message(error) });
  } finally {
    if (job === controller) job = null;
    useSimo.getState().set({ job: null });
  }
}

const onProgress = (event: { type: 'progress'; progress: Progress }) => {
  const view = useSimo.getState().job;
  if (view) useSimo.getState().set({ job: progressed(view, event.progress) });
};

export function loadSimo(source: { kind: 'demo' } | { kind: 'files'; input: CheckpointInput }) {
  const label = source.kind === 'demo' ? 'SIMO demo (public/simo)' : 'your SIMO pool';
  useSimo.getState().set({ pool: { status: 'loading', label } });
  return asJob('Loading the SIMO pool', 'files', async (signal) => {
    try {
      const summary = await studio().call('simoLoad', { source }, { signal, onEvent: onProgress });
      useSimo.getState().set({
        pool: { status: 'ready', label: summary.name, summary },
        result: null,
        pictures: null,
        relations: null,
        export: null,
        losses: {},
        runStatus: null,
      });
    } catch (error) {
      useSimo.getState().set({ pool: { status: 'error', label, error: message(error) } });
      throw error;
    }
  });
}

export function runSimo(options: SimoRunOptions): Promise<void> {
  return asJob('Starting SIMO', 'steps', async (signal) => {
    useSimo.getState().set({ losses: {}, runStatus: 'running' });
    // Steps can come faster than the chart should re-draw: at most 4 updates a second.
    const pending: SimoRunEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      if (pending.length === 0) return;
      const losses = { ...useSimo.getState().losses };
      for (const e of pending.splice(0))
        if (e.type === 'loss') {
          const key = seriesOf(e.task);
          losses[key] = [...(losses[key] ?? []), e.loss];
        }
      useSimo.getState().set({ losses });
    };
    const onEvent = (event: SimoRunEvent) => {
      if (event.type === 'progress') return onProgress(event);
      pending.push(event);
      timer ??= setTimeout(flush, 250);
    };
    try {
      const result = await studio().call('simoRun', { options }, { signal, onEvent });
      flush();
      useSimo.getState().set({ result, runStatus: 'done', relations: null, export: null });
      const view = useSimo.getState().job;
      if (view) useSimo.getState().set({ job: { ...view, phase: 'Drawing the pictures' } });
      const pictures = await studio().call('simoPictures', { images: PICTURE_IMAGES }, { signal });
      useSimo.getState().set({ pictures });
    } catch (error) {
      flush();
      useSimo.getState().set({ runStatus: isCancelled(error) ? 'cancelled' : 'failed' });
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
    }
  });
}

export async function pauseSimo(paused: boolean): Promise<void> {
  const result = await studio().call('simoPause', { paused });
  const status = useSimo.getState().runStatus;
  if (status === 'running' || status === 'paused')
    useSimo.getState().set({ runStatus: result.paused ? 'paused' : 'running' });
}

export function cancelSimo(): void {
  job?.abort();
}

export function simoRelations(): Promise<void> {
  return asJob('Task relationship: every pairwise merge', 'merges', async (signal) => {
    const relations = await studio().call('simoRelations', {}, { signal, onEvent: onProgress });
    useSimo.getState().set({ relations });
  });
}

export async function exportSimo(): Promise<void> {
  try {
    useSimo.getState().set({ export: await studio().call('simoExport', {}) });
  } catch (error) {
    useSimo.getState().set({ note: message(error) });
  }
}
