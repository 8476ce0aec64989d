import { useMemo } from 'react';
import type { ResultEntry, TaskInfo } from '../../store';
import { formatPercent } from '../../lib/format';
import { bestPerColumn, resultRows } from './table';
import { averageMargin } from './estimateMargin';

/** How many test images the numbers rest on, when they are not the full sets (live rows). */
function SampleBadge({ entry }: { entry: ResultEntry }) {
  if (entry.images === undefined) return null;
  const margin = averageMargin(entry.accuracy, entry.images);
  const pm = Number.isFinite(margin) ? ` · avg ±${(margin * 100).toFixed(1)}` : '';
  return entry.estimate ? (
    <span
      className="badge badge--warn results__sample"
      data-testid="estimate-badge"
      title={`Quick estimate on the first ${entry.images} test images of each task; the full test sets follow. ±: 95 % interval of the average from ${entry.images} images per task (two settings scored on the same images differ by less than this suggests).`}
    >
      estimate · {entry.images}/task{pm}
    </span>
  ) : (
    <span className="badge badge--neutral results__sample" title="Test images per task">
      {entry.images}/task
    </span>
  );
}

/**
 * The average first (it is what people compare, and it stays in view however many tasks
 * follow), then accuracy per task; the best of each column is marked. Long task names wrap.
 */
export function ResultsTable({ results, tasks }: { results: ResultEntry[]; tasks: TaskInfo[] }) {
  const rows = useMemo(() => resultRows(results, tasks), [results, tasks]);
  const best = useMemo(() => bestPerColumn(rows), [rows]);
  const cell = (value: number | null, column: number, row: number) => (
    <td key={column} className={`num ${best[column] === row ? 'best' : ''}`}>
      {value === null ? '—' : formatPercent(value)}
    </td>
  );
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Accuracy per task">
      <table className="table" data-testid="results-table">
        <caption className="visually-hidden">
          Average and accuracy per task; the best value of each column is bold.
        </caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num results__average">
              Average
            </th>
            {tasks.map((t) => (
              <th scope="col" className="num results__task" key={t.name} title={t.title}>
                {t.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={results[i]!.id} data-method={results[i]!.method}>
              <th scope="row" className="results__label">
                {row.label}
                <SampleBadge entry={results[i]!} />
              </th>
              {cell(row.average, tasks.length, i)}
              {row.values.map((v, c) => cell(v, c, i))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
