import { useEffect } from 'react';
import { Button } from '../../components/Button';
import { probeClipDemo, startDemo } from '../clip/demo';
import { useClip } from '../clip/store';

/**
 * Loads the demo: the tiny-CLIP zoo (public/clip-zoo) into the CLIP panel and the main panels,
 * evaluated at once. (The v1 toy zoo, on which merging hurts, is only at `?demo=v1`.)
 */
export function LoadDemoButton() {
  const probe = useClip((s) => s.demoProbe);
  // Busy from the click until the main panels' demo merge is evaluated (or the job ends).
  const busy = useClip((s) => s.job !== null || s.demoStarting);
  useEffect(() => {
    void probeClipDemo();
  }, []);
  const unavailable = probe !== null && !probe.available;
  const title = !probe
    ? 'Looking for the demo zoo…'
    : probe.available
      ? `Load the demo: a tiny CLIP and its vision towers fine-tuned on ${probe.tasks.join(', ')}`
      : `No demo here: ${probe.reason}`;
  return (
    <span title={title}>
      <Button
        variant="ghost"
        disabled={!probe?.available || busy}
        aria-busy={busy}
        aria-describedby={unavailable ? 'demo-unavailable' : undefined}
        onClick={() => void startDemo()}
      >
        Load demo
      </Button>
      {unavailable && (
        <span id="demo-unavailable" className="visually-hidden">
          {probe.reason}
        </span>
      )}
    </span>
  );
}
