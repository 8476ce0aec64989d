import { useStudio } from '../../store';
import { studio } from '../../services/studio';
import type { GpuPreference, TfPreference } from '../../../src/worker/protocol';
import { memoryKey, recall, remember } from './backendMemory';

/** `?gpu=off` forces the wasm/CPU path (to compare, or to work around a broken driver). */
function gpuPreference(): GpuPreference {
  if (new URLSearchParams(window.location.search).get('gpu') === 'off') return 'off';
  return typeof navigator !== 'undefined' && navigator.gpu ? 'auto' : 'unavailable';
}

/**
 * For tests only: `?tf=wasm` / `?tf=webgpu` force where evaluation runs. Without it the worker
 * measures which is faster here (once per adapter; the answer is remembered).
 */
function tfPreference(): TfPreference {
  const flag = new URLSearchParams(window.location.search).get('tf');
  return flag === 'wasm' || flag === 'webgpu' ? flag : 'auto';
}

/**
 * Asks the worker what it runs on and stores the answer (once per page load), then has it set
 * up evaluation on the fastest backend: the remembered choice for this adapter, else measured.
 */
export async function probeCapabilities(): Promise<void> {
  const { setCapability, setCapabilityError, setTfChoice } = useStudio.getState();
  let report;
  try {
    report = await studio().call('capabilities', { gpu: gpuPreference(), tf: tfPreference() });
    setCapability(report);
  } catch (error) {
    setCapabilityError(error instanceof Error ? error.message : String(error));
    return;
  }
  // A failure here surfaces again, with its message, at the first evaluation.
  const key = memoryKey(report);
  const choice = await studio().call('chooseBackend', { remembered: recall(key) });
  remember(key, choice);
  setTfChoice(choice);
}
