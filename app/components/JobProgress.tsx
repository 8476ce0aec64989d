import { useEffect, useState } from 'react';
import { formatDuration } from '../lib/format';
import { rateAndEta, type JobView } from '../lib/job';
import { Button } from './Button';
import { ProgressBar } from './ProgressBar';

/** Re-renders once a second while `active`, so a measured rate and ETA keep moving. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

const rateText = (rate: number, unit: string) =>
  `${rate >= 10 ? rate.toFixed(0) : rate.toPrecision(2)} ${unit}/s`;

interface JobProgressProps {
  /** What the job is, for the bar's and the button's accessible names ("Evaluation"). */
  name: string;
  job: JobView;
  onCancel?: () => void;
  testId?: string;
}

/**
 * Every long job looks the same: its phase, a bar, "done / total unit · rate · ETA", Cancel.
 */
export function JobProgress({ name, job, onCancel, testId }: JobProgressProps) {
  const now = useNow(true);
  const { rate, eta } = rateAndEta(job, now);
  const count =
    job.total > 0
      ? `${job.done.toLocaleString('en-US')} / ${job.total.toLocaleString('en-US')} ${job.unit}`
      : `${job.done.toLocaleString('en-US')} ${job.unit}`;
  const parts = [
    count,
    rate !== null ? rateText(rate, job.unit) : null,
    eta !== null ? `ETA ${formatDuration(eta)}` : null,
  ].filter(Boolean);
  return (
    <div className="job" data-testid={testId}>
      <div className="job__line">
        <span className="job__phase">{job.phase}</span>
        <span className="job__numbers" data-testid={testId ? `${testId}-numbers` : undefined}>
          {parts.join(' · ')}
        </span>
        {onCancel && (
          <Button
            size="sm"
            variant="danger"
            aria-label={`Cancel ${name.toLowerCase()}`}
            onClick={onCancel}
          >
            Cancel
          </Button>
        )}
      </div>
      <ProgressBar label={`${name} progress`} done={job.done} total={job.total} />
    </div>
  );
}
