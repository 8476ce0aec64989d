/**
 * Evaluation commands: per-task accuracy on the demo zoo's test sets (or the CLIP panel's tasks
 * when the table holds its checkpoints: the worker picks by the base's name), recorded as rows.
 * The two references are measured once per session: the base through each task's head (the
 * zero-shot row every merge must beat) and each fine-tune on its own task (the upper row).
 * One evaluation job runs at a time; its AbortController lives here so Cancel reaches it.
 */
import { isCancelled, StudioError } from '../../../src/worker/errors';
import type { EventOf } from '../../../src/worker/protocol';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';
import type { JobView } from '../../lib/job';
import { mergeLabel } from './mergeLabel';

export const BASE_LABEL = 'Base + task heads (zero-shot)';
export const INDIVIDUAL_LABEL = 'Individual fine-tunes';

/** An EMR merge's rows: each task with its own modulated model, then the unified model. */
export const EMR_MODULATED = 'per-task modulators';
export const EMR_UNIFIED = 'unified model, no modulators';

interface EvaluationStep {
  target: 'merged' | 'individuals' | 'base';
  label: string;
  method: string;
  unified?: boolean;
  companion?: boolean;
}

let running: AbortController | null = null;

/** The job view after one of the worker's progress events (images done of this step). */
function progressed(job: JobView, event: EventOf<'evaluate'>): JobView {
  const { progress } = event;
  if (progress.status === 'initiate') {
    return progress.total ? { ...job, total: progress.total, startedAt: performance.now() } : job;
  }
  if (progress.status === 'progress') {
    const { done, total, rate, eta } = progress;
    return { ...job, done, total, rate, eta };
  }
  return { ...job, done: progress.done, total: progress.total };
}

async function evaluateStep(
  { target, label, method, unified, companion }: EvaluationStep,
  position: string,
  signal: AbortSignal,
): Promise<void> {
  let job: JobView = {
    phase: `Evaluating ${label} ${position}`,
    done: 0,
    total: 0,
    unit: 'images',
    startedAt: performance.now(),
  };
  useStudio.getState().setEvaluation(job);
  const state = useStudio.getState();
  const base = state.checkpoints.find((c) => c.id === state.baseId)?.name;
  const result = await studio().call(
    'evaluate',
    { target, label, ...(unified ? { unified } : {}), ...(base ? { base } : {}) },
    {
      signal,
      onEvent: (event) => {
        job = progressed(job, event);
        useStudio.getState().setEvaluation(job);
      },
    },
  );
  useStudio.getState().addResult(
    {
      id: `${Date.now()}-${label}`,
      label,
      method,
      accuracy: result.accuracy,
      finishedAt: Date.now(),
      ...(companion ? { companion } : {}),
    },
    result.tasks,
  );
}

/** What Evaluate has to score now: the last merge, and the references not yet in Results. */
function pendingSteps(): EvaluationStep[] {
  const state = useStudio.getState();
  const has = (method: string) => state.results.some((r) => r.method === method);
  // The merge first: it is what the user asked about; the references follow (once per session).
  const steps: EvaluationStep[] = [];
  const merge = state.lastMerge;
  if (merge?.downloadUrl) {
    const method = state.methods.find((m) => m.name === merge.recipe.mergeMethod);
    const number = state.results.filter(
      (r) => !r.companion && !['base', 'individual', 'live'].includes(r.method),
    ).length;
    const label = mergeLabel(number + 1, merge.recipe, method);
    const kind = merge.recipe.mergeMethod;
    if (merge.modulators) {
      // The worker scores each task with its own modulated model (as `eval --modulators`).
      steps.push({ target: 'merged', label: `${label} — ${EMR_MODULATED}`, method: kind });
      steps.push({
        target: 'merged',
        label: `${label} — ${EMR_UNIFIED}`,
        method: kind,
        unified: true,
        companion: true,
      });
    } else steps.push({ target: 'merged', label, method: kind });
  }
  if (!has('base')) steps.push({ target: 'base', label: BASE_LABEL, method: 'base' });
  if (!has('individual')) {
    steps.push({ target: 'individuals', label: INDIVIDUAL_LABEL, method: 'individual' });
  }
  return steps;
}

/** How an evaluation job ended, for its status line (null when all went well). */
function endNote(error: unknown, signal: AbortSignal): string {
  if (isCancelled(error) || signal.aborted) return 'Evaluation cancelled.';
  return error instanceof StudioError || error instanceof Error ? error.message : String(error);
}

/** Evaluates the last merge, and the first time the base + heads and the fine-tunes too. */
export async function evaluateLastMerge(): Promise<void> {
  if (running) return;
  const controller = new AbortController();
  running = controller;
  const steps = pendingSteps();
  useStudio.getState().setEvaluationNote(null);
  try {
    for (const [i, step] of steps.entries()) {
      const position = steps.length > 1 ? `(${i + 1} of ${steps.length})` : '';
      await evaluateStep(step, position, controller.signal);
    }
  } catch (error) {
    useStudio.getState().setEvaluationNote(endNote(error, controller.signal));
  } finally {
    running = null;
    useStudio.getState().setEvaluation(null);
  }
}

export function cancelEvaluation(): void {
  running?.abort();
}
