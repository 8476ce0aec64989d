import { useStudio } from '../../store';
import { Banner } from '../../components/Banner';

const REASONS = {
  'no-webgpu-api': 'This browser has no WebGPU.',
  'no-adapter': 'WebGPU is present but offered no adapter (blocklisted or disabled driver).',
  disabled: 'WebGPU is turned off for this page (?gpu=off).',
} as const;

/** Explains the fallback whenever the worker runs without WebGPU; nothing when it has it. */
export function GpuBanner() {
  const capability = useStudio((s) => s.capability);
  const failed = useStudio((s) => s.capabilityError);
  if (failed) {
    return (
      <Banner tone="error" title="The studio worker could not start.">
        {failed} Loading and merging need it; try a current Chromium, Firefox or Safari.
      </Banner>
    );
  }
  if (!capability || capability.adapter) return null;
  const device = capability.device === 'wasm' ? 'CPU (WebAssembly)' : 'CPU (plain JavaScript)';
  return (
    <Banner tone="warning" title={`No WebGPU — running on ${device}.`}>
      {REASONS[capability.noGpuReason ?? 'no-webgpu-api']} Everything still works, only slower:
      merges and evaluation use the wasm/CPU fallback.
    </Banner>
  );
}
