import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useStudio } from '../../store';
import { colourOf, useTaskTitles } from './useTaskTitles';

/** The current λ of each task along the merged tensors (layer-wise), one line per task. */
export const LambdaLines = memo(function LambdaLines() {
  const lambdas = useStudio((s) => s.adaLambdas);
  const titles = useTaskTitles();
  const data = useMemo(() => {
    const layers = lambdas?.[0]?.length ?? 0;
    return Array.from({ length: layers }, (_, l) =>
      Object.fromEntries([['layer', l], ...(lambdas ?? []).map((row, t) => [`t${t}`, row[l]])]),
    );
  }, [lambdas]);
  return (
    <figure className="ada-chart" aria-label="Lambda per merged tensor">
      <figcaption>λ per merged tensor</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="layer" tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
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
