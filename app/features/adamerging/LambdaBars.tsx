import { memo, useId, useMemo, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { colourOf } from '../../lib/palette';
import { useStudio } from '../../store';
import { WrappedTick } from '../../components/WrappedTick';
import { useTaskTitles } from './useTaskTitles';

const threeDecimals = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v));

interface Bars {
  data: { key: string; name: string; lambda: number }[];
  colour: string;
}

/** λ as bars: one per task (task-wise), or one per merged tensor of the chosen task. */
function BarFigure({
  label,
  caption,
  data,
  colour,
  control,
  testId,
}: Bars & {
  label: string;
  caption: string;
  control?: ReactNode;
  testId: string;
}) {
  return (
    <figure className="ada-chart" aria-label={label} data-testid={testId} data-bars={data.length}>
      <figcaption className="ada-chart__caption">
        <span>{caption}</span>
        {control}
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="key"
            interval={data.length > 12 ? 'preserveStartEnd' : 0}
            tick={data.length > 12 ? { fontSize: 11 } : <WrappedTick />}
            height={data.length > 12 ? 24 : 34}
          />
          <YAxis tick={{ fontSize: 11 }} domain={[0, 'auto']} />
          <Tooltip
            formatter={threeDecimals}
            labelFormatter={(_, items) => String(items?.[0]?.payload?.name ?? '')}
            contentStyle={{ fontSize: 11, padding: '2px 6px' }}
          />
          <Bar dataKey="lambda" name="λ" fill={colour} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/**
 * The current λ. Task-wise it is one number per task: bars titled "λ per task". Layer-wise
 * it is tasks × tensors: eight overlapping lines were unreadable, so one task at a time (a
 * select), one bar per merged tensor; the heatmap beside it shows all tasks at once.
 */
export const LambdaBars = memo(function LambdaBars() {
  const lambdas = useStudio((s) => s.adaLambdas);
  const names = useStudio((s) => s.adaResult?.tensorNames);
  const titles = useTaskTitles();
  const [task, setTask] = useState(0);
  const selectId = useId();
  const taskWise = (lambdas?.[0]?.length ?? 0) === 1;
  const chosen = Math.min(task, Math.max(0, (lambdas?.length ?? 1) - 1));
  const data = useMemo(() => {
    if (!lambdas) return [];
    if (taskWise) {
      return lambdas.map((row, t) => {
        const title = titles[t] ?? `task ${t + 1}`;
        return { key: title, name: title, lambda: row[0]! };
      });
    }
    return (lambdas[chosen] ?? []).map((value, l) => ({
      key: String(l),
      name: names?.[l] ?? `merged tensor ${l}`,
      lambda: value,
    }));
  }, [lambdas, taskWise, chosen, titles, names]);
  if (!lambdas) return null;
  if (taskWise) {
    return (
      <BarFigure
        label="Lambda per task"
        caption="λ per task (task-wise)"
        testId="lambda-bars"
        data={data}
        colour={colourOf(0)}
      />
    );
  }
  const control = (
    <>
      <label htmlFor={selectId} className="visually-hidden">
        Task shown
      </label>
      <select
        id={selectId}
        className="input input--sm"
        value={chosen}
        onChange={(e) => setTask(Number(e.target.value))}
      >
        {lambdas.map((_, t) => (
          <option key={t} value={t}>
            {titles[t] ?? `task ${t + 1}`}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <BarFigure
      label="Lambda per merged tensor of one task"
      caption="λ per merged tensor (layer-wise) of"
      testId="lambda-bars"
      data={data}
      colour={colourOf(chosen)}
      control={control}
    />
  );
});
