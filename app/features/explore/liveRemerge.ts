/**
 * Interactive exploration: while "live" is on, every change of the method settings (weights,
 * densities, λ, method, base, filter) re-merges in memory and re-evaluates in the background.
 * A newer change cancels the run in flight, so the live row always describes the last settings.
 */
import { isCancelled } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio, type StudioState } from '../../store';
import { buildRecipe } from '../method/buildRecipe';

export const LIVE_ID = 'live';

/** Everything a merge depends on, as one comparable string. */
function settingsKey(s: StudioState): string {
  return JSON.stringify([
    s.methodName,
    s.globalParams,
    s.modelParams,
    s.seed,
    s.baseId,
    s.taskFilter,
  ]);
}

function describe(s: StudioState): string {
  const method = s.methods.find((m) => m.name === s.methodName)?.prettyName ?? 'Merge';
  const byName = new Map(s.checkpoints.map((c) => [c.id, c.name]));
  const models = Object.entries(s.modelParams).flatMap(([id, values]) =>
    Object.entries(values).map(([k, v]) => `${byName.get(id) ?? id}.${k}=${v}`),
  );
  const globals = Object.entries(s.globalParams).map(([k, v]) => `${k}=${v}`);
  const changed = [...globals, ...models];
  return `Live: ${method}${changed.length ? ` (${changed.join(', ')})` : ''}`;
}

async function remergeAndEvaluate(signal: AbortSignal): Promise<void> {
  const state = useStudio.getState();
  const recipe = buildRecipe(state);
  if (!recipe) return;
  const label = describe(state);
  state.setEvaluating(label);
  try {
    await studio().call(
      'merge',
      { recipe, target: { kind: 'memory', fileName: 'live.safetensors' } },
      { signal },
    );
    const result = await studio().call('evaluate', { target: 'merged', label }, { signal });
    const entry = {
      id: LIVE_ID,
      label,
      method: 'live',
      accuracy: result.accuracy,
      finishedAt: Date.now(),
    };
    useStudio.getState().upsertResult(entry, result.tasks);
  } catch (error) {
    if (!isCancelled(error)) useStudio.getState().setEvaluating(null);
    if (!isCancelled(error)) throw error;
    return;
  }
  useStudio.getState().setEvaluating(null);
}

/** Starts watching the settings; returns the unsubscribe function. */
export function startLiveRemerge(onError: (message: string) => void): () => void {
  let lastKey = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | null = null;
  const onChange = (state: StudioState) => {
    if (!state.liveExplore || !state.demoLoaded) return;
    const key = settingsKey(state);
    if (key === lastKey) return;
    lastKey = key;
    clearTimeout(timer);
    // Debounced: a dragged slider settles before the worker is asked.
    timer = setTimeout(() => {
      inFlight?.abort();
      const controller = new AbortController();
      inFlight = controller;
      remergeAndEvaluate(controller.signal).catch((e: unknown) =>
        onError(e instanceof Error ? e.message : String(e)),
      );
    }, 400);
  };
  const unsubscribe = useStudio.subscribe(onChange);
  onChange(useStudio.getState()); // turning live on runs once for the current settings
  return () => {
    clearTimeout(timer);
    inFlight?.abort();
    unsubscribe();
  };
}
