import { useStudio } from '../../store';
import { studio } from '../../services/studio';
import type { GpuPreference } from '../../../src/worker/protocol';

/** `?gpu=off` forces the wasm/CPU path (to compare, or to work around a broken driver). */
function gpuPreference(): GpuPreference {
  if (new URLSearchParams(window.location.search).get('gpu') === 'off') return 'off';
  return typeof navigator !== 'undefined' && navigator.gpu ? 'auto' : 'unavailable';
}

/** Asks the worker what it runs on and stores the answer (once per page load). */
export async function probeCapabilities(): Promise<void> {
  const { setCapability, setCapabilityError } = useStudio.getState();
  try {
    setCapability(await studio().call('capabilities', { gpu: gpuPreference() }));
  } catch (error) {
    setCapabilityError(error instanceof Error ? error.message : String(error));
  }
}
