import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useStudio } from '../../store';
import { colourOf, useTaskTitles } from './useTaskTitles';

/** Test accuracy per task at each evaluation during the run. */
export const AccuracyLines = memo(function AccuracyLines() {
  const evals = useStudio((s) => s.adaEvals);
  const titles = useTaskTitles();
  const data = useMemo(
    () =>
      evals.map((e) =>
        Object.fromEntries([
          ['step', e.step],
          ...e.accuracyPerTask.map((v, t) => [`t${t}`, Number((v * 100).toFixed(1))]),
        ]),
      ),
    [evals],
  );
  return (
    <figure className="ada-chart" aria-label="Accuracy per task by step">
      <figcaption>Accuracy per task (%)</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            tick={{ fontSize: 11 }}
          />
          <YAxis domain={[0, 100]} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => `${v}%`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {titles.map((title, t) => (
            <Line
              key={title}
              dataKey={`t${t}`}
              name={title}
              stroke={colourOf(t)}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
