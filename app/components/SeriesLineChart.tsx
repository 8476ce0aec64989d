import { memo } from 'react';
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
import { colourOf } from '../lib/palette';
import { seriesKey, type SeriesRow } from '../lib/seriesRows';

type Format = (value: number) => string;

export interface SeriesLineChartProps {
  /** Accessible name of the figure, and its visible caption. */
  label: string;
  caption: string;
  testId?: string;
  /** Rows from `seriesRows`: x under `xKey`, series i under `s{i}`. Memoise them. */
  data: SeriesRow[];
  xKey: string;
  /** Series names in order (legend, tooltip); colours follow the index. */
  series: readonly string[];
  /** A numeric x axis spanning the data (steps, layers), integers only. */
  numericX?: boolean;
  yDomain?: [number, number];
  yTick?: Format;
  tooltip?: Format;
  legend?: boolean;
  /** Dots on the points: for sparse series (evaluations, layers), off for dense streams. */
  dots?: boolean;
}

/**
 * One line per series over a shared x axis, in a fixed-height parent (recharts needs one) and
 * without animation (live data would restart it on every update). `data-points` counts rows.
 */
export const SeriesLineChart = memo(function SeriesLineChart({
  label,
  caption,
  testId,
  data,
  xKey,
  series,
  numericX = false,
  yDomain,
  yTick,
  tooltip,
  legend = true,
  dots = true,
}: SeriesLineChartProps) {
  return (
    <figure className="ada-chart" aria-label={label} data-testid={testId} data-points={data.length}>
      <figcaption>{caption}</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey={xKey}
            type={numericX ? 'number' : 'category'}
            domain={numericX ? ['dataMin', 'dataMax'] : undefined}
            allowDecimals={!numericX}
            tick={{ fontSize: 11 }}
          />
          <YAxis domain={yDomain} tick={{ fontSize: 11 }} tickFormatter={yTick} />
          {/* Compact, and kept inside this chart: a tall tooltip used to cover the next chart. */}
          <Tooltip
            formatter={(v) => (tooltip && typeof v === 'number' ? tooltip(v) : String(v))}
            allowEscapeViewBox={{ x: false, y: false }}
            contentStyle={{ fontSize: 11, padding: '2px 6px', lineHeight: 1.25 }}
            itemStyle={{ padding: 0 }}
            labelStyle={{ marginBottom: 2 }}
          />
          {legend && <Legend wrapperStyle={{ fontSize: 11 }} />}
          {series.map((name, i) => (
            <Line
              key={`${i}-${name}`}
              dataKey={seriesKey(i)}
              name={name}
              stroke={colourOf(i)}
              dot={dots}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
