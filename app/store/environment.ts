import type { StateCreator } from 'zustand';
import type { CapabilityReport } from '../../src/worker/protocol';
import type { StudioState } from './index';

export interface EnvironmentSlice {
  /** The worker's capability report; null while it is still probing. */
  capability: CapabilityReport | null;
  capabilityError: string | null;
  setCapability(report: CapabilityReport): void;
  setCapabilityError(message: string): void;
}

export const createEnvironmentSlice: StateCreator<StudioState, [], [], EnvironmentSlice> = (
  set,
) => ({
  capability: null,
  capabilityError: null,
  setCapability: (capability) => set({ capability, capabilityError: null }),
  setCapabilityError: (capabilityError) => set({ capabilityError }),
});
