/**
 * The CLIP page's commands. Each loading call is about one entry and its outcome lands on that
 * entry only. Evaluation and AdaMerging are jobs: one at a time, with progress and Cancel
 * (an AbortController kept here); the live λ estimate cancels its own previous request.
 */
import { isCancelled, StudioError } from '../../../src/worker/errors';
import type {
  AdaMergingOptions,
  CheckpointInput,
  EventOf,
  Progress,
  StepEvent,
} from '../../../src/worker/protocol';
import type { ClipAccuracyRow, ClipEvalTarget } from '../../../src/worker/clip/protocol';
import type { JobView } from '../../lib/job';
import { studio } from '../../services/studio';
import { useClip, type AdaRun, type FinetuneEntry } from './store';
import { clipRecipe, mergeLabel, taskFromFolder, type ClipMergeSettings } from './recipe';
import { clipTasksChanged, dropClipEntry, showClipBase, showClipFinetune } from './mainPanels';

let keys = 0;
const newKey = () => `clip-${++keys}`;
let job: AbortController | null = null;
let live: AbortController | null = null;
/** The data (and heads) input last attached to each fine-tune, to re-attach on rename. */
const attached = new Map<string, { data: CheckpointInput; heads?: CheckpointInput }>();

const message = (error: unknown) =>
  error instanceof StudioError || error instanceof Error ? error.message : String(error);

export function inputName(input: CheckpointInput): string {
  if (input.kind === 'file') return input.file.name;
  if (input.kind === 'folderFiles') return input.name;
  return input.handle.name;
}

/** A new base (it clears the fine-tunes, the rows and the demo's note); false when it failed. */
export async function loadBase(input: CheckpointInput): Promise<boolean> {
  const key = newKey();
  attached.clear();
  useClip.getState().set({
    base: { key, label: inputName(input), status: 'loading' },
    finetunes: [],
    rows: [],
    tasks: [],
    ada: null,
    footprint: null,
    demo: null,
  });
  try {
    const summary = await studio().call('clipLoadBase', { input });
    useClip.getState().set({ base: { key, label: summary.name, status: 'ready', summary } });
    showClipBase(summary);
    return true;
  } catch (error) {
    useClip.getState().set({
      base: { key, label: inputName(input), status: 'error', error: message(error) },
    });
    return false;
  }
}

/** One fine-tune (task named after its folder unless given); its entry's key, null if it failed. */
export async function addFinetune(input: CheckpointInput, task?: string): Promise<string | null> {
  const key = newKey();
  const label = inputName(input);
  const entry: FinetuneEntry = {
    key,
    label,
    status: 'loading',
    task: task ?? taskFromFolder(label),
  };
  useClip.getState().set({ finetunes: [...useClip.getState().finetunes, entry] });
  try {
    const summary = await studio().call('clipAddFinetune', { input });
    useClip.getState().updateFinetune(key, { status: 'ready', summary, label: summary.name });
    showClipFinetune(summary);
    return key;
  } catch (error) {
    useClip.getState().updateFinetune(key, { status: 'error', error: message(error) });
    return null;
  }
}

export async function addFinetunes(inputs: CheckpointInput[]): Promise<void> {
  for (const input of inputs) await addFinetune(input);
}

function refreshTasks(): void {
  const tasks = useClip
    .getState()
    .finetunes.flatMap((f) => (f.data?.summary ? [f.data.summary.task] : []))
    .map((name) => ({ name, title: name }));
  useClip.getState().set({ tasks });
  clipTasksChanged(tasks.length);
}

export async function attachData(
  key: string,
  data: CheckpointInput,
  heads?: CheckpointInput,
): Promise<void> {
  const entry = useClip.getState().finetunes.find((f) => f.key === key);
  if (!entry?.summary) return;
  attached.set(key, { data, heads });
  const label = inputName(data);
  useClip.getState().updateFinetune(key, { data: { status: 'loading', label } });
  try {
    const summary = await studio().call('clipAttachData', {
      id: entry.summary.id,
      task: entry.task,
      data,
      heads,
    });
    useClip.getState().updateFinetune(key, { data: { status: 'ready', label, summary } });
  } catch (error) {
    useClip.getState().updateFinetune(key, {
      data: { status: 'error', label, error: message(error) },
    });
  }
  refreshTasks();
}

/** A heads file (saved by the CLI's `heads`) for the data already attached. */
export async function attachHeads(key: string, heads: CheckpointInput): Promise<void> {
  const inputs = attached.get(key);
  if (inputs) await attachData(key, inputs.data, heads);
}

/** A new task name; the data already attached is attached again under it. */
export async function renameTask(key: string, task: string): Promise<void> {
  useClip.getState().updateFinetune(key, { task });
  const inputs = attached.get(key);
  if (inputs) await attachData(key, inputs.data, inputs.heads);
}

export async function removeFinetune(key: string): Promise<void> {
  const entry = useClip.getState().finetunes.find((f) => f.key === key);
  attached.delete(key);
  useClip.getState().set({ finetunes: useClip.getState().finetunes.filter((f) => f.key !== key) });
  refreshTasks();
  if (entry?.summary) dropClipEntry(entry.summary.id);
  if (entry?.summary) await studio().call('clipRemove', { id: entry.summary.id });
}

function readyNames(): { base: string; finetunes: string[] } | null {
  const { base, finetunes } = useClip.getState();
  if (!base?.summary) return null;
  const ready = finetunes.filter((f) => f.summary && f.data?.status === 'ready');
  return { base: base.summary.name, finetunes: ready.map((f) => f.summary!.name) };
}

function toEntry(id: string, method: string, row: ClipAccuracyRow, estimate = false) {
  const images = Math.max(0, ...Object.values(row.images));
  return {
    id,
    label: row.label,
    method,
    accuracy: row.accuracy,
    finishedAt: Date.now(),
    ...(estimate ? { images, estimate: true } : {}),
  };
}

function progressed(view: JobView, progress: Progress): JobView {
  if (progress.status === 'progress' || progress.status === 'done') {
    const { done, total } = progress;
    const rate = progress.status === 'progress' ? progress.rate : undefined;
    return { ...view, phase: progress.task ?? view.phase, done, total, rate };
  }
  return { ...view, phase: progress.task ?? view.phase };
}

async function evaluateRow(
  id: string,
  method: string,
  target: ClipEvalTarget,
  label: string,
  signal: AbortSignal,
): Promise<void> {
  let view: JobView = {
    phase: `Evaluating ${label}`,
    done: 0,
    total: 0,
    unit: 'images',
    startedAt: performance.now(),
  };
  useClip.getState().set({ job: view });
  const row = await studio().call(
    'clipEvaluate',
    { target, label },
    {
      signal,
      onEvent: (event) => {
        view = progressed(view, event.progress);
        useClip.getState().set({ job: view });
      },
    },
  );
  useClip.getState().upsertRow(toEntry(id, method, row));
}

/** Runs `work` as the page's one job (progress and Cancel under the controls). */
export async function asJob(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  job?.abort();
  const controller = new AbortController();
  job = controller;
  useClip.getState().set({ jobNote: null });
  try {
    await work(controller.signal);
  } catch (error) {
    useClip.getState().set({ jobNote: isCancelled(error) ? 'Cancelled.' : message(error) });
  } finally {
    if (job === controller) job = null;
    useClip.getState().set({ job: null });
  }
}

/** Zero-shot, individual fine-tunes and the merge of each of `merges`, on the full test sets. */
export async function evaluateRows(merges: ClipMergeSettings[], signal: AbortSignal) {
  const names = readyNames();
  if (!names) throw new Error('Load a base and attach data to a fine-tune first.');
  await evaluateRow('zero-shot', 'base', 'zero-shot', 'Zero-shot (CLIP base)', signal);
  await evaluateRow('individuals', 'individual', 'individuals', 'Individual fine-tunes', signal);
  for (const settings of merges) {
    const recipe = clipRecipe(names.base, names.finetunes, settings);
    const label = mergeLabel(settings);
    await evaluateRow(`merge-${label}`, settings.method, { recipe }, label, signal);
  }
}

export function evaluateAll(settings: ClipMergeSettings): Promise<void> {
  return asJob((signal) => evaluateRows([settings], signal));
}

/** The live row: the merge of `settings` on the first `images` images of each task. */
export async function estimate(settings: ClipMergeSettings, images: number): Promise<void> {
  live?.abort();
  const names = readyNames();
  if (!names) return;
  const controller = new AbortController();
  live = controller;
  const recipe = clipRecipe(names.base, names.finetunes, settings);
  try {
    const row = await studio().call(
      'clipEvaluate',
      { target: { recipe }, label: `Live: ${mergeLabel(settings)}`, limit: images },
      { signal: controller.signal },
    );
    useClip.getState().upsertRow(toEntry('live', 'live', row, true));
  } catch (error) {
    if (!isCancelled(error)) useClip.getState().set({ jobNote: message(error) });
  } finally {
    if (live === controller) live = null;
  }
}

export function cancelJob(): void {
  job?.abort();
}

export function runAdaMerging(options: AdaMergingOptions, poolSize: number): Promise<void> {
  return asJob(async (signal) => {
    const set = (patch: Partial<AdaRun>) => {
      const ada = useClip.getState().ada ?? { status: 'running' as const, steps: [] };
      useClip.getState().set({ ada: { ...ada, ...patch } });
    };
    useClip.getState().set({ ada: { status: 'running', steps: [] } });
    const total = options.steps ?? 500;
    let view: JobView = {
      phase: 'AdaMerging',
      done: 0,
      total,
      unit: 'steps',
      startedAt: performance.now(),
    };
    useClip.getState().set({ job: view });
    // Steps can come faster than the page should re-draw its chart: at most 4 updates a second.
    const pending: StepEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const last = pending[pending.length - 1];
      if (!last) return;
      const added = pending.splice(0).map((e) => ({ step: e.step, entropy: e.lossPerTask }));
      set({ steps: [...(useClip.getState().ada?.steps ?? []), ...added], lambdas: last.lambdas });
      view = { ...view, phase: 'AdaMerging', unit: 'steps', done: last.step, total };
      useClip.getState().set({ job: view });
    };
    const onEvent = (event: EventOf<'clipAdamerge'>) => {
      if (event.type === 'footprint') return useClip.getState().set({ footprint: event.footprint });
      if (event.type === 'step') {
        pending.push(event.step);
        timer ??= setTimeout(flush, 250);
        return;
      }
      // This panel asks for no evaluations while learning (the main AdaMerging panel does).
      if (event.type === 'eval') return;
      const unit = event.progress.task?.startsWith('evaluating') ? 'images' : 'tasks';
      view = { ...progressed(view, event.progress), unit };
      useClip.getState().set({ job: view });
    };
    try {
      const out = await studio().call('clipAdamerge', { options, poolSize }, { signal, onEvent });
      flush();
      set({ status: 'done', lambdas: out.result.lambdas, export: out.export });
      useClip.getState().upsertRow(toEntry(`ada-${out.result.mode}`, 'adamerging', out.row));
    } catch (error) {
      flush();
      set({ status: isCancelled(error) ? 'cancelled' : 'failed', note: message(error) });
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
    }
  });
}

export async function pauseAdaMerging(paused: boolean): Promise<void> {
  const result = await studio().call('adamergePause', { paused });
  const ada = useClip.getState().ada;
  if (ada && (ada.status === 'running' || ada.status === 'paused'))
    useClip.getState().set({ ada: { ...ada, status: result.paused ? 'paused' : 'running' } });
}

export async function checkFootprint(options: AdaMergingOptions): Promise<void> {
  try {
    const footprint = await studio().call('clipFootprint', { options });
    useClip.getState().set({ footprint });
  } catch (error) {
    useClip.getState().set({ jobNote: message(error) });
  }
}
