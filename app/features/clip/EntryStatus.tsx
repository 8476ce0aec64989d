import type { EntryStatus as Status } from './store';

/** An entry's state beside it: loading, what it is, or its error (one line, role=alert). */
export function EntryStatus({
  status,
  detail,
  error,
  testId,
}: {
  status: Status;
  detail?: string;
  error?: string;
  testId: string;
}) {
  if (status === 'error')
    return (
      <span className="clip-entry__error" role="alert" data-testid={`${testId}-error`}>
        {error}
      </span>
    );
  return (
    <span className="clip-entry__detail" data-testid={`${testId}-status`} data-status={status}>
      {status === 'loading' ? 'Loading…' : detail}
    </span>
  );
}
