import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useStudio } from '../../store';
import { applySweepPoint } from './actions';
import { paretoFront, type SweepPoint } from './pareto';

interface Datum extends SweepPoint {
  x: number;
  y: number;
  front: boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** One clickable point: a focusable circle that loads its weights into the method form. */
function PointShape(props: { cx?: number; cy?: number; payload?: Datum }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) return null;
  const name = `λA ${payload.lambdaA}, λB ${payload.lambdaB}: A ${pct(payload.accuracyA)}, B ${pct(payload.accuracyB)}`;
  const load = () => applySweepPoint(payload);
  return (
    <circle
      cx={cx}
      cy={cy}
      r={payload.front ? 6 : 4}
      className={`sweep-point ${payload.front ? 'sweep-point--front' : ''}`}
      role="button"
      tabIndex={0}
      aria-label={`Load ${name}`}
      data-testid="sweep-point"
      data-front={payload.front}
      data-lambda-a={payload.lambdaA}
      data-lambda-b={payload.lambdaB}
      onClick={load}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') load();
      }}
    />
  );
}

/** Accuracy on task A against task B for every grid point; the Pareto front stands out. */
export const SweepChart = memo(function SweepChart() {
  const points = useStudio((s) => s.sweepPoints);
  const axes = useStudio((s) => s.sweepAxes);
  const [front, rest] = useMemo(() => {
    const onFront = paretoFront(points);
    const data: Datum[] = points.map((p, i) => ({
      ...p,
      x: p.accuracyA * 100,
      y: p.accuracyB * 100,
      front: onFront.has(i),
    }));
    return [data.filter((d) => d.front).sort((a, b) => a.x - b.x), data.filter((d) => !d.front)];
  }, [points]);
  if (!axes || points.length === 0) return null;
  return (
    <figure className="ada-chart" aria-label="Accuracy trade-off between the two tasks">
      <figcaption>
        Accuracy on {axes[0]} (x) vs {axes[1]} (y), % — click a point to load its weights
      </figcaption>
      <ResponsiveContainer width="100%" height={280}>
        <ScatterChart margin={{ top: 8, right: 12, bottom: 4, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" name={axes[0]} unit="%" tick={{ fontSize: 11 }} />
          <YAxis dataKey="y" type="number" name={axes[1]} unit="%" tick={{ fontSize: 11 }} />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : v)}
            isAnimationActive={false}
          />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Scatter
            name="Other grid points"
            data={rest}
            fill="#9aa4b2"
            shape={PointShape}
            isAnimationActive={false}
          />
          <Scatter
            name="Pareto front"
            data={front}
            fill="#D55E00"
            line={{ stroke: '#D55E00' }}
            shape={PointShape}
            isAnimationActive={false}
          />
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
});
