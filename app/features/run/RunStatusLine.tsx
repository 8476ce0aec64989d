import { useStudio } from '../../store';

const TEXT = {
  idle: 'Nothing has run yet.',
  running: 'Running…',
  done: 'Finished.',
  failed: 'Failed.',
  cancelled: 'Cancelled.',
} as const;

export function RunStatusLine() {
  const status = useStudio((s) => s.runStatus);
  const error = useStudio((s) => s.runError);
  const progress = useStudio((s) => s.runProgress);
  const detail =
    status === 'running' && progress ? ` ${progress.task}` : error ? ` ${error.message}` : '';
  return (
    <p className="muted" role="status" aria-live="polite">
      {TEXT[status]}
      {detail}
    </p>
  );
}
