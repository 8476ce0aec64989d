import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { ProgressBar } from '../../components/ProgressBar';
import { MergeButtons } from './MergeButtons';
import { MergeSummary } from './MergeSummary';
import { RunStatusLine } from './RunStatusLine';
import { ExportActions } from '../export/ExportActions';

/** Start / cancel a merge, watch its progress, take its result. */
export function RunPanel() {
  const running = useStudio((s) => s.runStatus === 'running');
  const progress = useStudio((s) => s.runProgress);
  const determinate = progress !== null && progress.status !== 'initiate';
  return (
    <Panel title="Run" subtitle="Merge on the device shown in the header." className="area-run">
      <MergeButtons />
      {running && (
        <ProgressBar
          label="Merge progress"
          done={determinate ? progress.done : 0}
          total={determinate ? progress.total : 0}
        />
      )}
      <RunStatusLine />
      <MergeSummary />
      <ExportActions />
    </Panel>
  );
}
