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

/** Mean prediction entropy per task, step by step: what AdaMerging minimises. */
export const EntropyChart = memo(function EntropyChart() {
  const steps = useStudio((s) => s.adaSteps);
  const titles = useTaskTitles();
  const data = useMemo(
    () =>
      steps.map((p) =>
        Object.fromEntries([['step', p.step], ...p.entropy.map((v, t) => [`t${t}`, v])]),
      ),
    [steps],
  );
  return (
    <figure
      className="ada-chart"
      aria-label="Entropy per task by step"
      data-testid="entropy-chart"
      data-points={data.length}
    >
      <figcaption>Entropy per task</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            tick={{ fontSize: 11 }}
          />
          <YAxis tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {titles.map((title, t) => (
            <Line
              key={title}
              dataKey={`t${t}`}
              name={title}
              stroke={colourOf(t)}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
