import type { StateCreator } from 'zustand';
import type { MethodDefinition } from '../../src/worker/protocol';
import type { StudioState } from './index';
import { initialGlobals } from '../features/method/initialValues';

export type ParamValue = number | boolean | string;

/** The method a session starts with: the simplest member of the task-arithmetic family. */
export const DEFAULT_METHOD = 'task_arithmetic';

export interface MethodSlice {
  /** The registry's declarations, as the worker sent them; empty until it answers. */
  methods: MethodDefinition[];
  /** Registry name of the chosen merge method, e.g. "ties". */
  methodName: string | null;
  /**
   * Global parameters by name: the form's initial values (initialValues.ts) and what the user
   * changed; everything else is the registry's default.
   */
  globalParams: Record<string, ParamValue>;
  /** Per-model parameters: checkpoint id → parameter name → value. */
  modelParams: Record<string, Record<string, ParamValue>>;
  seed: number;
  setMethods(methods: MethodDefinition[]): void;
  setMethod(name: string): void;
  setGlobalParam(name: string, value: ParamValue): void;
  setModelParam(checkpointId: string, name: string, value: ParamValue): void;
  setSeed(seed: number): void;
}

export const createMethodSlice: StateCreator<StudioState, [], [], MethodSlice> = (set) => ({
  methods: [],
  methodName: null,
  globalParams: {},
  modelParams: {},
  seed: 42,
  setMethods: (methods) =>
    set((state) => {
      if (state.methodName) return { methods };
      const methodName = methods.some((m) => m.name === DEFAULT_METHOD)
        ? DEFAULT_METHOD
        : (methods[0]?.name ?? null);
      return { methods, methodName, globalParams: initialGlobals(methodName) };
    }),
  // A new method starts from its own initial values: those of the old one may not even exist.
  setMethod: (methodName) =>
    set({ methodName, globalParams: initialGlobals(methodName), modelParams: {} }),
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
