import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { Button } from '../../components/Button';
import { ProgressBar } from '../../components/ProgressBar';
import { RunStatusLine } from './RunStatusLine';

/** Start / cancel a merge and watch its progress. */
export function RunPanel() {
  const status = useStudio((s) => s.runStatus);
  const progress = useStudio((s) => s.runProgress);
  const methodName = useStudio((s) => s.methodName);
  const running = status === 'running';
  const determinate = progress && progress.status !== 'initiate';
  return (
    <Panel title="Run" subtitle="Merge on the device shown in the header." className="area-run">
      <div className="run__controls">
        <Button
          variant="primary"
          // Merging from the studio is wired in the next step; the CLI merges today.
          disabled
          title={
            methodName ? 'Not wired yet: use `npm run cli -- merge`' : 'Choose a merge method first'
          }
        >
          Merge
        </Button>
        <Button variant="danger" disabled={!running}>
          Cancel
        </Button>
      </div>
      {running && (
        <ProgressBar
          label="Merge progress"
          done={determinate ? progress.done : 0}
          total={determinate ? progress.total : 0}
        />
      )}
      <RunStatusLine />
    </Panel>
  );
}
