import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { AccuracyLines } from './AccuracyLines';
import { AdaControls } from './AdaControls';
import { AdaExport } from './AdaExport';
import { AdaOptionsForm } from './AdaOptionsForm';
import { EntropyChart } from './EntropyChart';
import { LambdaHeatmap } from './LambdaHeatmap';
import { LambdaBars } from './LambdaBars';

/** AdaMerging: learn λ without labels on the demo zoo, watching it happen. */
export function AdaMergingPanel() {
  const status = useStudio((s) => s.adaStatus);
  const started = status !== 'idle';
  return (
    <Panel
      title="AdaMerging"
      subtitle="Learns merging coefficients by minimising prediction entropy on unlabeled test inputs."
      className="area-adamerging"
    >
      <AdaOptionsForm disabled={status === 'running' || status === 'paused'} />
      <AdaControls />
      <AdaExport />
      {started && (
        <div className="ada-charts">
          <EntropyChart />
          <AccuracyLines />
          <LambdaBars />
          <LambdaHeatmap />
        </div>
      )}
    </Panel>
  );
}
