/**
 * The two-task sweep: task arithmetic with weights (λa, λb) for two fine-tunes (the others
 * left out) over a grid, each point merged and scored on those two tasks (the demo zoo's, or the
 * CLIP fine-tunes' attached tasks) by the worker's
 * `explore` request (which leaves the last merge alone). Cancel stops between and inside points.
 */
import type { Recipe } from '../../../src/worker/protocol';
import { isCancelled } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio, type StudioState } from '../../store';
import { fineTuneIds } from '../analysis/actions';
import { gridValues, type SweepPoint } from './pareto';
import { taskOfCheckpoint } from '../clip/mainPanels';

let running: AbortController | null = null;

/** The two swept fine-tunes: the chosen ones, else the first two loaded. */
export function sweepAxisIds(s: StudioState): [string | null, string | null] {
  const ids = fineTuneIds(s);
  const a = s.sweepSettings.taskA ?? ids[0] ?? null;
  const b = s.sweepSettings.taskB ?? ids.find((id) => id !== a) ?? null;
  return [a, b];
}

function nameOf(id: string | null): string | null {
  const entry = useStudio.getState().checkpoints.find((c) => c.id === id && c.status === 'ready');
  return entry?.name ?? null;
}

function recipeFor(base: string, a: string, b: string, lambdaA: number, lambdaB: number): Recipe {
  const { taskFilter, seed } = useStudio.getState();
  return {
    mergeMethod: 'task_arithmetic',
    baseModel: base,
    models: [
      { model: a, parameters: { weight: lambdaA } },
      { model: b, parameters: { weight: lambdaB } },
    ],
    parameters: { lambda: 1 },
    randomSeed: seed,
    taskSpecific: taskFilter
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  };
}

export async function runSweep(): Promise<void> {
  const state = useStudio.getState();
  const { sweepSettings: settings } = state;
  const [idA, idB] = sweepAxisIds(state);
  const [base, a, b] = [nameOf(state.baseId), nameOf(idA), nameOf(idB)];
  if (!base || !a || !b || a === b) return;
  const values = gridValues(settings.min, settings.max, settings.steps);
  const grid = values.flatMap((lambdaA) => values.map((lambdaB) => ({ lambdaA, lambdaB })));
  // The demo zoo names each fine-tune after its task; a CLIP fine-tune has its attached task.
  const [taskA, taskB] = [taskOfCheckpoint(a), taskOfCheckpoint(b)];
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const { signal } = controller;
  state.sweepStarted(grid.length, [a, b]);
  try {
    for (const { lambdaA, lambdaB } of grid) {
      const recipe = recipeFor(base, a, b, lambdaA, lambdaB);
      const label = `${a}=${lambdaA}, ${b}=${lambdaB}`;
      // `explore`, not merge + evaluate: the user's last merge (what Export offers) stays.
      const params = { recipe, label, limit: settings.limit, tasks: [taskA, taskB] };
      const { accuracy, device } = await studio().call('explore', params, { signal });
      useStudio.getState().setSweepDevice(device);
      const point: SweepPoint = {
        lambdaA,
        lambdaB,
        accuracyA: accuracy[taskA] ?? NaN,
        accuracyB: accuracy[taskB] ?? NaN,
      };
      useStudio.getState().sweepAdd(point);
    }
    useStudio.getState().sweepFinished('done');
  } catch (error) {
    if (isCancelled(error) || signal.aborted) useStudio.getState().sweepFinished('cancelled');
    else
      useStudio
        .getState()
        .sweepFinished('failed', error instanceof Error ? error.message : String(error));
  } finally {
    if (running === controller) running = null;
  }
}

export function cancelSweep(): void {
  running?.abort();
}

/** Clicking a point: the method form becomes task arithmetic with that point's weights. */
export function applySweepPoint(point: SweepPoint): void {
  const state = useStudio.getState();
  const [taskA, taskB] = sweepAxisIds(state);
  state.setMethod('task_arithmetic');
  state.setGlobalParam('lambda', 1);
  for (const c of state.checkpoints) {
    if (c.status !== 'ready' || c.id === state.baseId) continue;
    const weight = c.id === taskA ? point.lambdaA : c.id === taskB ? point.lambdaB : 0;
    state.setModelParam(c.id, 'weight', weight);
  }
}
