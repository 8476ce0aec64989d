import { useStudio } from '../../store';
import { studio } from '../../services/studio';
import type { GpuPreference, TfPreference } from '../../../src/worker/protocol';

/** `?gpu=off` forces the wasm/CPU path (to compare, or to work around a broken driver). */
function gpuPreference(): GpuPreference {
  if (new URLSearchParams(window.location.search).get('gpu') === 'off') return 'off';
  return typeof navigator !== 'undefined' && navigator.gpu ? 'auto' : 'unavailable';
}

/** `?tf=wasm` runs evaluation and AdaMerging on WebAssembly while merges stay on WebGPU. */
function tfPreference(): TfPreference {
  return new URLSearchParams(window.location.search).get('tf') === 'wasm' ? 'wasm' : 'auto';
}

/** Asks the worker what it runs on and stores the answer (once per page load). */
export async function probeCapabilities(): Promise<void> {
  const { setCapability, setCapabilityError } = useStudio.getState();
  try {
    setCapability(
      await studio().call('capabilities', { gpu: gpuPreference(), tf: tfPreference() }),
    );
  } catch (error) {
    setCapabilityError(error instanceof Error ? error.message : String(error));
  }
}
