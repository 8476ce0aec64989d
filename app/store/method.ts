import type { StateCreator } from 'zustand';
import type { StudioState } from './index';

export type ParamValue = number | boolean | string;

export interface MethodSlice {
  /** Registry name of the chosen merge method, e.g. "ties". */
  methodName: string | null;
  /** Global parameters by name (only values the user changed; defaults come from the registry). */
  globalParams: Record<string, ParamValue>;
  /** Per-model parameters: checkpoint id → parameter name → value. */
  modelParams: Record<string, Record<string, ParamValue>>;
  seed: number;
  setMethod(name: string): void;
  setGlobalParam(name: string, value: ParamValue): void;
  setModelParam(checkpointId: string, name: string, value: ParamValue): void;
  setSeed(seed: number): void;
}

export const createMethodSlice: StateCreator<StudioState, [], [], MethodSlice> = (set) => ({
  methodName: null,
  globalParams: {},
  modelParams: {},
  seed: 42,
  // A new method starts from its own defaults: values of the old one may not even exist.
  setMethod: (methodName) => set({ methodName, globalParams: {}, modelParams: {} }),
  setGlobalParam: (name, value) =>
    set((state) => ({ globalParams: { ...state.globalParams, [name]: value } })),
  setModelParam: (checkpointId, name, value) =>
    set((state) => ({
      modelParams: {
        ...state.modelParams,
        [checkpointId]: { ...state.modelParams[checkpointId], [name]: value },
      },
    })),
  setSeed: (seed) => set({ seed }),
});
