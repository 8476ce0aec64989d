import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { JobProgress } from '../../components/JobProgress';
import { cancelSweep, runSweep, sweepAxisIds } from './actions';

const STATUS = {
  idle: '',
  running: 'Sweeping…',
  done: 'Done: click a point to load its weights into the method form.',
  cancelled: 'Cancelled.',
  failed: 'Failed:',
} as const;

/** Why the sweep cannot start, or null. */
function useBlocker(): string | null {
  const demoLoaded = useStudio((s) => s.demoLoaded);
  const [a, b] = useStudio(useShallow(sweepAxisIds));
  if (!demoLoaded)
    return 'The sweep evaluates on test sets: Load demo, or CLIP checkpoints with their data.';
  if (!a || !b || a === b) return 'Pick two different fine-tunes.';
  return null;
}

export function SweepControls() {
  const status = useStudio((s) => s.sweepStatus);
  const done = useStudio((s) => s.sweepPoints.length);
  const total = useStudio((s) => s.sweepTotal);
  const error = useStudio((s) => s.sweepError);
  const device = useStudio((s) => s.sweepDevice);
  const startedAt = useStudio((s) => s.sweepStartedAt);
  const limit = useStudio((s) => s.sweepSettings.limit);
  const blocker = useBlocker();
  const running = status === 'running';
  return (
    <div className="run__controls">
      <Button
        variant="primary"
        disabled={running || blocker !== null}
        onClick={() => void runSweep()}
      >
        Run sweep
      </Button>
      <Button variant="danger" disabled={!running} aria-label="Cancel sweep" onClick={cancelSweep}>
        Cancel
      </Button>
      <p className="run__blocker" role="status" aria-live="polite" data-testid="sweep-status">
        {blocker ?? STATUS[status]}
        {error ? ` ${error}` : ''}
        {status !== 'idle' && !blocker ? ` ${done}/${total} points.` : ''}
        {device && status !== 'idle' ? ` Evaluated on ${device}.` : ''}
      </p>
      {running && (
        <JobProgress
          name="Sweep"
          testId="sweep-progress"
          job={{
            phase: `Merging each point and scoring it on ${limit} images of both tasks`,
            unit: 'points',
            done,
            total,
            startedAt,
          }}
        />
      )}
    </div>
  );
}
