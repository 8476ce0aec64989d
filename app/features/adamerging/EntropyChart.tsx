import { memo, useMemo } from 'react';
import { SeriesLineChart } from '../../components/SeriesLineChart';
import { seriesRows } from '../../lib/seriesRows';
import { useStudio } from '../../store';
import { useTaskTitles } from './useTaskTitles';

const threeDecimals = (v: number) => v.toFixed(3);

/** Mean prediction entropy per task, step by step: what AdaMerging minimises. */
export const EntropyChart = memo(function EntropyChart() {
  const steps = useStudio((s) => s.adaSteps);
  const titles = useTaskTitles();
  const data = useMemo(
    () => seriesRows(steps, 'step', (p) => ({ x: p.step, values: p.entropy })),
    [steps],
  );
  return (
    <SeriesLineChart
      label="Entropy per task by step"
      caption="Entropy per task"
      testId="entropy-chart"
      data={data}
      xKey="step"
      series={titles}
      numericX
      tooltip={threeDecimals}
      dots={false}
    />
  );
});
