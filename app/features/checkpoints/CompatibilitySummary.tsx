import type { CompatibilityReport } from '../../../src/worker/protocol';
import { useStudio } from '../../store';
import { Banner } from '../../components/Banner';
import { MismatchList } from './MismatchList';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function Verdict({ report }: { report: CompatibilityReport }) {
  const heads = report.taskSpecific.length;
  const headsText = heads > 0 ? ` ${plural(heads, 'task-specific tensor')} kept per task.` : '';
  if (report.compatible) {
    return (
      <Banner tone="info" title="Compatible.">
        {plural(report.mergedTensorCount, 'tensor')} line up in name and shape and will be merged.
        {headsText}
      </Banner>
    );
  }
  return (
    <Banner tone="warning" title={`Not compatible: ${plural(report.errorCount, 'mismatch')}.`}>
      Load matching checkpoints, choose another base, or widen the task-specific filter if these are
      heads.{headsText}
    </Banner>
  );
}

/** The verdict of checking every loaded checkpoint against the base, with the findings. */
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
  return (
    <div data-testid="compatibility" data-compatible={String(report.compatible)} className="compat">
      <Verdict report={report} />
      {report.issues.length > 0 && (
        <MismatchList issues={report.issues} omitted={report.omittedIssues} />
      )}
    </div>
  );
}
