/**
 * Interactive exploration: while "live" is on, every change of the method settings (weights,
 * densities, λ, method, base, filter) re-merges in memory and re-evaluates in the background.
 * A newer change cancels the run in flight, so the live row always describes the last settings.
 */
import { isCancelled } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio, type StudioState, type TaskInfo } from '../../store';
import { buildRecipe } from '../method/buildRecipe';
import { changedParams } from '../results/mergeLabel';
import type { Recipe } from '../../../src/worker/protocol';
import { isSliderHeld, onSliderRelease } from '../../lib/sliderGesture';

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

/**
 * "Live: TIES (density=0.2 each)": the values of the recipe being merged that differ from the
 * method's declared defaults, the form's initial values included (as in a merge's label).
 */
function describe(s: StudioState, recipe: Recipe): string {
  const definition = s.methods.find((m) => m.name === s.methodName);
  const changed = changedParams(recipe, definition);
  return `Live: ${definition?.prettyName ?? 'Merge'}${changed.length ? ` (${changed.join(', ')})` : ''}`;
}

/** Images per task of the quick estimate shown first (the full test sets follow)… */
export const ESTIMATE_IMAGES = 64;
/** …fewer when scoring them would take longer than this on this device (the worker measures). */
const ESTIMATE_BUDGET_MS = 170;

/** What the Live toggle shows: how many runs started and how long the last one took. */
export interface LiveStatus {
  runs: number;
  /** Milliseconds from the trigger (slider release, or settled typing) to the estimate row. */
  estimateMs: number | null;
  /** Milliseconds from the trigger to the row on the full test sets. */
  lastMs: number | null;
  /** Images per task behind the row shown now. */
  images: number | null;
  /** Worker-side milliseconds of the estimate: merging, and merging + scoring. */
  worker?: { mergeMs: number; estimateMs: number };
}

async function remergeAndEvaluate(
  signal: AbortSignal,
  onEstimate: (images: number, worker: { mergeMs: number; estimateMs: number }) => void,
): Promise<number | null> {
  const state = useStudio.getState();
  const recipe = buildRecipe(state);
  if (!recipe) return null;
  const label = describe(state, recipe);
  state.setEvaluating(label);
  const show = (
    accuracy: Record<string, number>,
    images: number,
    estimate: boolean,
    tasks: TaskInfo[],
  ) =>
    useStudio
      .getState()
      .upsertResult(
        { id: LIVE_ID, label, method: 'live', accuracy, finishedAt: Date.now(), images, estimate },
        tasks,
      );
  try {
    const result = await studio().call(
      'explore',
      { recipe, label, estimate: ESTIMATE_IMAGES, estimateBudgetMs: ESTIMATE_BUDGET_MS },
      {
        signal,
        onEvent: (e) => {
          if (signal.aborted) return;
          show(e.accuracy, e.images, true, e.tasks);
          onEstimate(e.images, { mergeMs: e.mergeMs, estimateMs: e.ms });
        },
      },
    );
    show(result.accuracy, result.images, false, result.tasks);
    useStudio.getState().setEvaluating(null);
    return result.images;
  } catch (error) {
    if (isCancelled(error)) return null;
    useStudio.getState().setEvaluating(null);
    throw error;
  }
}

/** Typed numbers and arrow keys come in bursts: wait this long for the burst to end. */
const SETTLE_MS = 120;

/**
 * Starts watching the settings; returns the unsubscribe function. A dragged slider re-merges
 * once, when it is released; other changes after a short settle. Any change cancels the run in
 * flight at once, since its result would already be stale.
 */
export function startLiveRemerge(
  onError: (message: string) => void,
  onStatus: (status: LiveStatus) => void = () => undefined,
): () => void {
  let lastKey = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | null = null;
  let pending = false;
  let runs = 0;
  const run = () => {
    clearTimeout(timer);
    pending = false;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    runs += 1;
    const runNumber = runs;
    let estimateMs: number | null = null;
    let worker: LiveStatus['worker'];
    onStatus({ runs: runNumber, estimateMs, lastMs: null, images: null });
    const started = performance.now();
    const onEstimate = (images: number, inWorker: LiveStatus['worker']) => {
      estimateMs = performance.now() - started;
      worker = inWorker;
      if (!controller.signal.aborted)
        onStatus({ runs: runNumber, estimateMs, lastMs: null, images, worker });
    };
    remergeAndEvaluate(controller.signal, onEstimate)
      .then((images) => {
        if (controller.signal.aborted) return;
        const lastMs = performance.now() - started;
        onStatus({ runs: runNumber, estimateMs, lastMs, images, worker });
      })
      .catch((e: unknown) => onError(e instanceof Error ? e.message : String(e)));
  };
  const onChange = (state: StudioState) => {
    if (!state.liveExplore || !state.demoLoaded) return;
    const key = settingsKey(state);
    if (key === lastKey) return;
    lastKey = key;
    inFlight?.abort();
    inFlight = null;
    clearTimeout(timer);
    pending = true;
    if (!isSliderHeld()) timer = setTimeout(run, SETTLE_MS);
  };
  const stopRelease = onSliderRelease(() => {
    if (pending) run();
  });
  const unsubscribe = useStudio.subscribe(onChange);
  onChange(useStudio.getState()); // turning live on runs once for the current settings
  return () => {
    clearTimeout(timer);
    inFlight?.abort();
    stopRelease();
    unsubscribe();
    useStudio.getState().setEvaluating(null);
  };
}
