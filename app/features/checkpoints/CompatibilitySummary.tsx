import { useStudio } from '../../store';
import { Banner } from '../../components/Banner';
import { MismatchList } from './MismatchList';

/** The verdict of checking every loaded checkpoint against the base. */
export function CompatibilitySummary() {
  const state = useStudio((s) => s.compatibility);
  if (state.status === 'idle') return null;
  if (state.status === 'checking') {
    return (
      <p className="muted" role="status">
        Checking tensor names and shapes…
      </p>
    );
  }
  if (state.status === 'failed') {
    return (
      <Banner tone="error" title="Compatibility check failed.">
        {state.error.message}
      </Banner>
    );
  }
  const { report } = state;
  const heads = report.taskSpecific.length;
  const headsText =
    heads > 0 ? ` ${heads} task-specific tensor${heads === 1 ? '' : 's'} kept per task.` : '';
  if (report.compatible) {
    return (
      <div data-testid="compatibility" data-compatible="true">
        <Banner tone="info" title="Compatible.">
          {report.mergedTensorCount} tensors line up in name and shape and will be merged.
          {headsText}
        </Banner>
      </div>
    );
  }
  const total = report.issues.length + report.omittedIssues;
  return (
    <div data-testid="compatibility" data-compatible="false">
      <Banner tone="warning" title={`Not compatible: ${total} mismatch${total === 1 ? '' : 'es'}.`}>
        Fix these or widen the task-specific filter if they are heads.{headsText}
      </Banner>
      <MismatchList issues={report.issues} omitted={report.omittedIssues} />
    </div>
  );
}
