/**
 * Keeps the method settings in the URL fragment, so a link reproduces them. Settings from a
 * link are applied as their pieces become available: the method once the registry has arrived,
 * per-model values and the base once checkpoints with those names are loaded.
 */
import { useStudio, type StudioState } from '../../store';
import { decodeShared, encodeShared, type SharedSettings } from './shareState';

function currentSettings(
  state: StudioState,
  pending: SharedSettings['models'],
): SharedSettings | null {
  if (!state.methodName) return null;
  const models: SharedSettings['models'] = { ...pending };
  for (const c of state.checkpoints) {
    const values = state.modelParams[c.id];
    if (values && Object.keys(values).length > 0) models[c.name] = values;
  }
  const base = state.checkpoints.find((c) => c.id === state.baseId)?.name;
  return {
    method: state.methodName,
    global: state.globalParams,
    models,
    seed: state.seed,
    taskFilter: state.taskFilter,
    ...(base ? { base } : {}),
  };
}

/** Applies the method part of a shared link (the caller makes sure this happens once). */
function applyMethod(shared: SharedSettings, state: StudioState): void {
  if (!state.methods.some((m) => m.name === shared.method)) return; // unknown: keep defaults
  state.setMethod(shared.method);
  for (const [name, value] of Object.entries(shared.global)) state.setGlobalParam(name, value);
  state.setSeed(shared.seed);
  state.setTaskFilter(shared.taskFilter);
}

function applyModels(
  pending: SharedSettings['models'],
  shared: SharedSettings | null,
  state: StudioState,
): void {
  for (const c of state.checkpoints) {
    if (c.status !== 'ready') continue;
    const values = pending[c.name];
    if (values) {
      delete pending[c.name];
      for (const [name, value] of Object.entries(values)) state.setModelParam(c.id, name, value);
    }
    if (shared?.base === c.name) {
      shared.base = undefined; // once: the user may change the base afterwards
      state.setBaseId(c.id);
    }
  }
}

export function startShareSync(): () => void {
  const shared = decodeShared(window.location.hash);
  const pending: SharedSettings['models'] = { ...shared?.models };
  let methodDone = !shared;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return useStudio.subscribe((state) => {
    // Setters below re-enter this listener: flags flip before anything is set.
    if (!methodDone && state.methods.length > 0) {
      methodDone = true;
      applyMethod(shared!, state);
    }
    if (methodDone && (Object.keys(pending).length > 0 || shared?.base)) {
      applyModels(pending, shared, state);
    }
    clearTimeout(timer);
    // Debounced: dragging a slider must not flood the history API.
    timer = setTimeout(() => {
      const settings = currentSettings(useStudio.getState(), pending);
      if (settings) window.history.replaceState(null, '', `#${encodeShared(settings)}`);
    }, 300);
  });
}
