import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { SweepChart } from './SweepChart';
import { SweepControls } from './SweepControls';
import { SweepForm } from './SweepForm';

/** Two-task trade-off: task arithmetic over a λa × λb grid, accuracy of A against B. */
export function SweepPanel() {
  const running = useStudio((s) => s.sweepStatus === 'running');
  return (
    <Panel
      title="Two-task sweep"
      subtitle="Task arithmetic over a grid of weights for two fine-tunes (the others left out): the trade-off between their accuracies."
      className="area-sweep"
    >
      <SweepForm disabled={running} />
      <SweepControls />
      <SweepChart />
    </Panel>
  );
}
