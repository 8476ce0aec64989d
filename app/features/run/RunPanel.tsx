import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { JobProgress } from '../../components/JobProgress';
import type { JobView } from '../../lib/job';
import type { Progress } from '../../../src/worker/protocol';
import { MergeButtons } from './MergeButtons';
import { MergeSummary } from './MergeSummary';
import { RunStatusLine } from './RunStatusLine';
import { ExportActions } from '../export/ExportActions';

/** A merge's progress as a job; a byte-based rate (streamed writes) is left to the wall clock. */
function mergeJob(progress: Progress | null, startedAt: number): JobView {
  const phase = progress ? `Merging: ${progress.task}` : 'Merging: planning';
  if (!progress || progress.status === 'initiate') {
    return { phase, unit: 'tensor steps', done: 0, total: 0, startedAt };
  }
  const byUnits = progress.status === 'progress' && !progress.totalBytes;
  return {
    phase,
    unit: 'tensor steps',
    done: progress.done,
    total: progress.total,
    startedAt,
    rate: byUnits ? progress.rate : undefined,
    eta: byUnits ? progress.eta : undefined,
  };
}

/** Start / cancel a merge, watch its progress, take its result. */
export function RunPanel() {
  const running = useStudio((s) => s.runStatus === 'running');
  const progress = useStudio((s) => s.runProgress);
  const startedAt = useStudio((s) => s.runStartedAt);
  return (
    <Panel title="Run" subtitle="Merge on the device shown in the header." className="area-run">
      <MergeButtons />
      {running && (
        <JobProgress name="Merge" testId="merge-progress" job={mergeJob(progress, startedAt)} />
      )}
      <RunStatusLine />
      <MergeSummary />
      <ExportActions />
    </Panel>
  );
}
