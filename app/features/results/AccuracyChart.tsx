import { memo, useMemo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ResultEntry, TaskInfo } from '../../store';
import { colourOf } from '../../lib/palette';
import { WrappedTick } from '../../components/WrappedTick';

/**
 * Grouped bars: one group per task, one bar per evaluated model of this session. Task names
 * wrap under their group (full name in the tick's tooltip); the tooltip stays inside the chart.
 */
export const AccuracyChart = memo(function AccuracyChart({
  results,
  tasks,
}: {
  results: ResultEntry[];
  tasks: TaskInfo[];
}) {
  const data = useMemo(
    () =>
      tasks.map((task) => {
        const point: Record<string, string | number> = { task: task.title };
        results.forEach((r, i) => {
          const value = r.accuracy[task.name];
          if (value !== undefined) point[`r${i}`] = Number((value * 100).toFixed(1));
        });
        return point;
      }),
    [results, tasks],
  );
  return (
    <figure
      className="chart"
      data-testid="accuracy-chart"
      aria-label="Accuracy per task, grouped by task"
    >
      <ResponsiveContainer width="100%" height={280}>
        {/* Keyed by the row order: recharts keeps bars in mount order, and a reference row
            arriving after a merge must still come first, as in the table. */}
        <BarChart
          key={results.map((r) => r.id).join('|')}
          data={data}
          margin={{ top: 8, right: 8, bottom: 4, left: -12 }}
        >
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="task" tick={<WrappedTick />} interval={0} height={34} />
          <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
          <Tooltip
            formatter={(value) => `${value}%`}
            contentStyle={{ fontSize: 12, padding: '4px 8px' }}
            itemStyle={{ padding: 0 }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {results.map((r, i) => (
            <Bar
              key={r.id}
              dataKey={`r${i}`}
              name={r.label}
              fill={colourOf(i)}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
});
