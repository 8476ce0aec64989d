/**
 * "Load CLIP demo" (and `?demo=clip`): the worker fetches the published CLIP zoo
 * (public/clip-zoo) as folder inputs, and they go through the panel's own loading actions —
 * the base, each fine-tune with its task, each test set — exactly as a user's dropped folders
 * do. Then the accuracy table is computed at once with the papers' defaults. One job from the
 * first request to the last row: progress and Cancel throughout.
 */
import { CANCELLED, type Progress } from '../../../src/worker/protocol';
import { StudioError } from '../../../src/worker/errors';
import type { ClipDemoInputs } from '../../../src/worker/demo/clip-zoo';
import type { JobView } from '../../lib/job';
import { studio } from '../../services/studio';
import { addFinetune, asJob, attachData, evaluateRows, loadBase } from './actions';
import type { ClipMergeSettings } from './recipe';
import { showDemoInMainPanels } from './demoMain';
import { useClip, type ClipDemoNote } from './store';

/**
 * Task arithmetic at the zoo's own swept λ (the papers' 0.3 when the zoo names none) and TIES
 * in FusionBench's form at density 0.2, λ = 0.3: the papers' values.
 */
export function demoMerges(zoo: { demoLambda?: number }): ClipMergeSettings[] {
  return [
    { method: 'task_arithmetic', lambda: zoo.demoLambda ?? 0.3, density: 0.2 },
    { method: 'ties', lambda: 0.3, density: 0.2, fusionBench: true },
  ];
}

const showJob = (job: JobView) => useClip.getState().set({ job });

function stopIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new StudioError({ code: CANCELLED, message: 'Cancelled.' });
}

/** Fetching, in MB (with the worker's rate) and files. */
function fetchView(view: JobView, progress: Progress): JobView {
  if (progress.status !== 'progress') return view;
  const mb = (bytes = 0) => Math.round(bytes / 1e4) / 100;
  return {
    ...view,
    phase: `Fetching the CLIP demo (${progress.done} / ${progress.total} files)`,
    done: mb(progress.bytes),
    total: mb(progress.totalBytes),
    rate: progress.rate !== undefined ? progress.rate / 1e6 : undefined,
    eta: progress.eta,
  };
}

function noteOf(demo: ClipDemoInputs): ClipDemoNote {
  const { zoo } = demo;
  const tasks = zoo.tasks.map((t) => ({ name: t.name, source: t.source, licence: t.licence }));
  const lambda = demoMerges(zoo)[0]!.lambda;
  return { name: zoo.name, scale: zoo.scale, seed: zoo.seed, tasks, lambda };
}

/** Base, then each fine-tune and its data, through the panel's actions; one step each. */
async function loadInputs(demo: ClipDemoInputs, signal: AbortSignal): Promise<void> {
  const total = 1 + 2 * demo.tasks.length;
  const startedAt = performance.now();
  let done = 0;
  const step = (phase: string) => {
    stopIfCancelled(signal);
    showJob({ phase, done: done++, total, unit: 'steps', startedAt });
  };
  step('Loading the CLIP base');
  if (!(await loadBase(demo.base))) throw new Error('The demo base did not load (see its row).');
  useClip.getState().set({ demo: noteOf(demo) });
  for (const task of demo.tasks) {
    step(`Loading the ${task.name} fine-tune`);
    const key = await addFinetune(task.finetune, task.name);
    step(`Reading ${task.name}'s test set, building its zero-shot head`);
    if (key) await attachData(key, task.data);
  }
}

/** Asks the worker whether the demo is published; the Load demo button says so. */
export async function probeClipDemo(): Promise<void> {
  const demoProbe = await studio()
    .call('clipDemoProbe', {})
    .catch((error: unknown) => ({ available: false as const, reason: String(error) }));
  useClip.getState().set({ demoProbe });
}

export function loadClipDemo(): Promise<void> {
  return asJob(async (signal) => {
    let view: JobView = {
      phase: 'Fetching the CLIP demo',
      done: 0,
      total: 0,
      unit: 'MB',
      startedAt: performance.now(),
    };
    showJob(view);
    const demo = await studio().call(
      'clipDemoFetch',
      {},
      {
        signal,
        onEvent: (event) => {
          view = fetchView(view, event.progress);
          showJob(view);
        },
      },
    );
    await loadInputs(demo, signal);
    stopIfCancelled(signal);
    await evaluateRows(demoMerges(demo.zoo), signal);
  });
}

/**
 * The studio's "Load demo" (and `?demo`): the CLIP demo in its panel, then in the main panels
 * (Results: base + heads, the fine-tunes and the zoo's task-arithmetic merge), then brings
 * Results into view: the first thing a visitor sees is the comparison.
 */
export async function startDemo(): Promise<void> {
  useClip.getState().set({ demoStarting: true });
  try {
    await loadClipDemo();
    const { demo, jobNote } = useClip.getState();
    if (demo && !jobNote && (await showDemoInMainPanels(demo.lambda))) {
      document.querySelector('.area-results')?.scrollIntoView({ block: 'start' });
    }
  } finally {
    useClip.getState().set({ demoStarting: false });
  }
}
