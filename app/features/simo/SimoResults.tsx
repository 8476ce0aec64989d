import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { SeriesLineChart } from '../../components/SeriesLineChart';
import { seriesRows } from '../../lib/seriesRows';
import { DENSE_METRIC_COLUMNS, formatDenseMetric } from '../../../src/eval/dense/format';
import { NO_TASKS, useSimo } from './store';

/** The fixes' training loss, one line per decoder (head re-align) and one for representation. */
export function SimoLossChart() {
  const losses = useSimo((s) => s.losses);
  const series = Object.keys(losses);
  const data = useMemo(() => {
    const length = Math.max(0, ...Object.values(losses).map((l) => l.length));
    const steps = Array.from({ length }, (_, i) => i);
    return seriesRows(steps, 'step', (step) => ({
      x: step + 1,
      values: series.map((s) => losses[s]![step]),
    }));
  }, [losses, series]);
  if (series.length === 0) return null;
  return (
    <div className="simo-chart" data-testid="simo-loss" data-points={data.length}>
      <SeriesLineChart
        label="SIMO re-alignment loss by step"
        caption="Training loss per fix (head re-align: one line per decoder)"
        testId="simo-loss-chart"
        data={data}
        xKey="step"
        series={series}
        numericX
        dots={false}
      />
    </div>
  );
}

/** The ΔMTL table: each row's test metrics per task and ΔMTL against the single-task models. */
export function SimoTable() {
  const { result, tasks } = useSimo(
    useShallow((s) => ({ result: s.result, tasks: s.pool?.summary?.tasks ?? NO_TASKS })),
  );
  if (!result) return null;
  const first = result.rows[0]!;
  const columns = tasks.flatMap((t) =>
    DENSE_METRIC_COLUMNS.filter(([, m]) => first.metrics[t.name]?.[m] !== undefined).map(
      ([head, metric]) => ({ head: `${t.name} ${head}`, task: t.name, metric }),
    ),
  );
  return (
    <div className="simo-table-wrap">
      <table className="table simo-table" data-testid="simo-table">
        <caption>
          {result.mergeLabel}; {result.valImages} validation images; tfjs {result.device};{' '}
          {result.seconds.toFixed(1)} s in all. mIoU and pixel accuracy in %, ΔMTL in % against the
          single-task models (higher is better).
        </caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            {columns.map((c) => (
              <th scope="col" key={c.head} className="num">
                {c.head}
              </th>
            ))}
            <th scope="col" className="num">
              ΔMTL %
            </th>
            <th scope="col" className="num">
              Fix time
            </th>
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r) => (
            <tr key={r.name} data-row={r.name}>
              <th scope="row">{r.name}</th>
              {columns.map((c) => (
                <td key={c.head} className="num">
                  {formatDenseMetric(r.metrics[c.task]?.[c.metric], c.metric)}
                </td>
              ))}
              <td className="num" data-testid="simo-delta" title={perTask(r.perTask)}>
                {r.delta.toFixed(1)}
              </td>
              <td className="num">{r.seconds === undefined ? '' : `${r.seconds.toFixed(1)} s`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const perTask = (d: Record<string, number>) =>
  Object.entries(d)
    .map(([t, v]) => `${t} ${v.toFixed(1)} %`)
    .join(', ');
