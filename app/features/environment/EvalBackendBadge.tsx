import type { TfChoice } from '../../../src/worker/protocol';
import { useStudio } from '../../store';

const NAMES = { webgpu: 'WebGPU', wasm: 'wasm', cpu: 'CPU' } as const;

const HOW = {
  measured: 'measured now',
  remembered: 'measured earlier on this adapter',
  url: 'set by the URL',
  only: 'the only one here',
} as const;

/** "wasm 41 ms · WebGPU 612 ms": the probe's forward pass per candidate. */
function probeText(choice: TfChoice): string {
  const entries = Object.entries(choice.probeMs ?? {}) as [keyof typeof NAMES, number][];
  return entries.map(([device, ms]) => `${NAMES[device]} ${ms.toFixed(0)} ms`).join(' · ');
}

/**
 * Where evaluation (Results, Live, the sweep, AdaMerging's evaluations) runs, and why: the
 * worker times a forward pass on each backend once per adapter and takes the fastest.
 */
export function EvalBackendBadge() {
  const choice = useStudio((s) => s.tfChoice);
  const capability = useStudio((s) => s.capability);
  if (!capability) return null;
  if (!choice) {
    return (
      <span className="adapter__meta" data-testid="eval-backend" aria-live="polite">
        Evaluation: measuring backends…
      </span>
    );
  }
  const probe = probeText(choice);
  const title = `Evaluation runs on tfjs ${NAMES[choice.device]}, ${HOW[choice.how]}${probe ? ` (one forward pass of 64 images: ${probe})` : ''}.`;
  return (
    <span
      className="adapter__meta"
      data-testid="eval-backend"
      data-backend={choice.device}
      data-how={choice.how}
      title={title}
      aria-live="polite"
    >
      Evaluation: {NAMES[choice.device]} (
      {choice.how === 'measured' || choice.how === 'remembered'
        ? `fastest${probe ? `: ${probe}` : ''}`
        : HOW[choice.how]}
      )
    </span>
  );
}
