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
import type { LayerNorms } from '../../../src/worker/protocol';
import { colourOf } from '../adamerging/useTaskTitles';

/** ‖τₜ‖ per block, one line per task (tensors outside numbered blocks are left off the axis). */
export const LayerNormChart = memo(function LayerNormChart({
  tasks,
  layers,
}: {
  tasks: string[];
  layers: LayerNorms[];
}) {
  const data = useMemo(
    () =>
      layers
        .filter((l) => l.layer !== null)
        .map((l) =>
          Object.fromEntries([['layer', l.layer], ...l.norms.map((v, t) => [`t${t}`, v])]),
        ),
    [layers],
  );
  if (data.length === 0) return <p className="note">No numbered blocks in these models.</p>;
  return (
    <figure className="ada-chart" aria-label="Task-vector norm per layer" data-testid="layer-norms">
      <figcaption>‖τ‖ per layer</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            allowDecimals={false}
            dataKey="layer"
            type="number"
            domain={['dataMin', 'dataMax']}
            tick={{ fontSize: 11 }}
          />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => v.toPrecision(2)} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(3) : v)} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {tasks.map((task, t) => (
            <Line
              key={task}
              dataKey={`t${t}`}
              name={task}
              stroke={colourOf(t)}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
