import { useEffect, useState } from 'react';
import { useStudio } from '../../store';
import { startLiveRemerge, type LiveStatus } from './liveRemerge';

const ms = (x: number) => `${Math.round(x)} ms`;

function statusText({ runs, estimateMs, lastMs, images }: LiveStatus): string {
  if (lastMs !== null) {
    const first = estimateMs === null ? '' : `; estimate after ${ms(estimateMs)}`;
    return `Updated in ${ms(lastMs)} (run ${runs}${first}; ${images ?? '?'} images/task).`;
  }
  if (estimateMs !== null)
    return `Estimate on ${images} images/task in ${ms(estimateMs)}; refining on the full test sets… (run ${runs})`;
  return 'Updating…';
}

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
            // A new session's status starts empty: the last session's "Updated … (run 1" would
            // read as this one's until its first run reports.
            setStatus(null);
            setLive(e.target.checked);
          }}
        />
        <span>Live: re-merge and evaluate on every change</span>
      </label>
      {live && status && (
        <span
          className="note"
          data-testid="live-status"
          data-runs={status.runs}
          data-phase={
            status.lastMs !== null ? 'full' : status.estimateMs !== null ? 'estimate' : 'running'
          }
          data-worker-merge-ms={status.worker?.mergeMs.toFixed(0)}
          data-worker-estimate-ms={status.worker?.estimateMs.toFixed(0)}
          title={
            status.worker
              ? `In the worker: merge ${ms(status.worker.mergeMs)}, merge + scoring ${ms(status.worker.estimateMs)}`
              : undefined
          }
          aria-live="polite"
        >
          {statusText(status)}
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
