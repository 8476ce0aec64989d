import { useStudio } from '../../store';

const TEXT = {
  idle: 'Nothing has run yet.',
  running: 'Merging…',
  done: 'Merged.',
  failed: 'The merge failed:',
  cancelled: 'Cancelled; nothing was written.',
} as const;

export function RunStatusLine() {
  const status = useStudio((s) => s.runStatus);
  const error = useStudio((s) => s.runError);
  const progress = useStudio((s) => s.runProgress);
  const runCount = useStudio((s) => s.runCount);
  const steps =
    status === 'running' && progress?.status === 'progress'
      ? ` ${progress.done} of ${progress.total} tensor steps.`
      : '';
  return (
    <p
      className={status === 'failed' ? 'run__status run__status--failed' : 'run__status'}
      role="status"
      aria-live="polite"
      data-testid="run-status"
      data-run={runCount}
    >
      {TEXT[status]}
      {steps}
      {error ? ` ${error.message}` : ''}
    </p>
  );
}
