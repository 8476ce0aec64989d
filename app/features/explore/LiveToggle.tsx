import { useEffect, useState } from 'react';
import { useStudio } from '../../store';
import { startLiveRemerge, type LiveStatus } from './liveRemerge';

/** "Live": every slider change re-merges and re-evaluates in the background. */
export function LiveToggle() {
  const live = useStudio((s) => s.liveExplore);
  const demoLoaded = useStudio((s) => s.demoLoaded);
  const setLive = useStudio((s) => s.setLiveExplore);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<LiveStatus | null>(null);
  useEffect(() => (live ? startLiveRemerge(setError, setStatus) : undefined), [live]);
  return (
    <div className="live">
      <label className="param--check">
        <input
          type="checkbox"
          checked={live}
          disabled={!demoLoaded}
          onChange={(e) => {
            setError(null);
            setLive(e.target.checked);
          }}
        />
        <span>Live: re-merge and evaluate on every change</span>
      </label>
      {live && status && (
        <span className="note" data-testid="live-status" data-runs={status.runs} aria-live="polite">
          {status.lastMs === null
            ? 'Updating…'
            : `Updated in ${Math.round(status.lastMs)} ms (run ${status.runs}).`}
        </span>
      )}
      {error && (
        <p className="note note--warn" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
