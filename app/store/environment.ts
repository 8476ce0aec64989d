import type { StateCreator } from 'zustand';
import type { CapabilityReport, DemoInfo, TfChoice } from '../../src/worker/protocol';
import type { StudioState } from './index';

export interface EnvironmentSlice {
  /** The worker's capability report; null while it is still probing. */
  capability: CapabilityReport | null;
  capabilityError: string | null;
  /** Whether the demo zoo is served with the app; null until the worker has looked. */
  demo: DemoInfo | null;
  /** The tfjs backend evaluation runs on and how it was chosen; null while the probe runs. */
  tfChoice: TfChoice | null;
  setTfChoice(choice: TfChoice): void;
  setDemo(demo: DemoInfo): void;
  setCapability(report: CapabilityReport): void;
  setCapabilityError(message: string): void;
}

export const createEnvironmentSlice: StateCreator<StudioState, [], [], EnvironmentSlice> = (
  set,
) => ({
  capability: null,
  capabilityError: null,
  demo: null,
  tfChoice: null,
  setTfChoice: (tfChoice) => set({ tfChoice }),
  setDemo: (demo) => set({ demo }),
  setCapability: (capability) => set({ capability, capabilityError: null }),
  setCapabilityError: (capabilityError) => set({ capabilityError }),
});
