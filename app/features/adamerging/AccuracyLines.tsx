import { memo, useMemo } from 'react';
import { SeriesLineChart } from '../../components/SeriesLineChart';
import { seriesRows } from '../../lib/seriesRows';
import { useStudio } from '../../store';
import { useTaskTitles } from './useTaskTitles';

const percent = (v: number) => `${v}%`;

/** Test accuracy per task at each evaluation during the run. */
export const AccuracyLines = memo(function AccuracyLines() {
  const evals = useStudio((s) => s.adaEvals);
  const titles = useTaskTitles();
  const data = useMemo(
    () =>
      seriesRows(evals, 'step', (e) => ({
        x: e.step,
        values: e.accuracyPerTask.map((v) => Number((v * 100).toFixed(1))),
      })),
    [evals],
  );
  return (
    <SeriesLineChart
      label="Accuracy per task by step"
      caption="Accuracy per task (%)"
      data={data}
      xKey="step"
      series={titles}
      numericX
      yDomain={[0, 100]}
      tooltip={percent}
    />
  );
});
