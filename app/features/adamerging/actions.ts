/**
 * AdaMerging commands. Step events can arrive hundreds of times a second; they are buffered
 * here and handed to the store once per animation frame, so charts redraw at most at the
 * display rate and nothing else in the tree re-renders.
 */
import type { EvalEvent, Progress, StepEvent } from '../../../src/worker/protocol';
import { isCancelled } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';

let running: AbortController | null = null;
let pendingSteps: StepEvent[] = [];
let pendingEvals: EvalEvent[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  const steps = pendingSteps;
  const evals = pendingEvals;
  pendingSteps = [];
  pendingEvals = [];
  if (steps.length || evals.length) useStudio.getState().adaAppend(steps, evals);
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // Hidden tabs get no animation frames; the timer keeps the data flowing there.
  if (document.visibilityState === 'visible') requestAnimationFrame(flush);
  else setTimeout(flush, 250);
}

/** The final evaluation's progress (a few events, one per task): straight into the store. */
function finalProgress(progress: Progress): void {
  flush(); // the last steps first, so the step count is complete when this phase shows
  const { adaFinal, setAdaFinal } = useStudio.getState();
  const startedAt = adaFinal?.startedAt ?? performance.now();
  if (progress.status === 'initiate')
    setAdaFinal({ done: 0, total: progress.total ?? 0, startedAt });
  else if (progress.status === 'progress') {
    const { done, total, rate, eta } = progress;
    setAdaFinal({ done, total, startedAt, rate, eta });
  }
}

export async function startAdaMerging(): Promise<void> {
  if (running) return;
  const state = useStudio.getState();
  running = new AbortController();
  // The base's name: the CLIP panel's base makes the worker learn on the CLIP tasks.
  const base = state.checkpoints.find((c) => c.id === state.baseId)?.name;
  state.adaStarted();
  state.setAdaExport(null);
  try {
    const {
      result,
      accuracy,
      tasks,
      export: file,
    } = await studio().call(
      'adamerge',
      { options: state.adaOptions, ...(base ? { base } : {}) },
      {
        signal: running.signal,
        onEvent: (event) => {
          if (event.type === 'progress') return finalProgress(event.progress);
          if (event.type === 'step') pendingSteps.push(event.step);
          else pendingEvals.push(event.eval);
          schedule();
        },
      },
    );
    flush();
    useStudio.getState().adaFinished(result);
    useStudio.getState().setAdaExport({
      fileName: file.fileName,
      // The transferred buffer becomes the Blob's contents; no second copy is made.
      url: URL.createObjectURL(
        new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
      ),
      sizeBytes: file.bytes.byteLength,
      recipeYaml: file.recipeYaml,
    });
    const label = `AdaMerging ${result.mode}-wise${result.plus ? '++' : ''} (${result.stepsRun} steps)`;
    const id = `ada-${Date.now()}`;
    useStudio
      .getState()
      .addResult({ id, label, method: 'adamerging', accuracy, finishedAt: Date.now() }, tasks);
  } catch (error) {
    flush();
    if (isCancelled(error)) useStudio.getState().adaSetStatus('cancelled');
    else
      useStudio
        .getState()
        .adaSetStatus('failed', error instanceof Error ? error.message : String(error));
  } finally {
    running = null;
  }
}

export async function setAdaPaused(paused: boolean): Promise<void> {
  await studio().call('adamergePause', { paused });
  if (running) useStudio.getState().adaSetStatus(paused ? 'paused' : 'running');
}

export function cancelAdaMerging(): void {
  running?.abort();
}
