import { useMemo } from 'react';
import type { ResultEntry, TaskInfo } from '../../store';
import { formatPercent } from '../../lib/format';
import { bestPerColumn, resultRows } from './table';

/** How many test images the numbers rest on, when they are not the full sets (live rows). */
function SampleBadge({ entry }: { entry: ResultEntry }) {
  if (entry.images === undefined) return null;
  return entry.estimate ? (
    <span
      className="badge badge--warn results__sample"
      title="Quick estimate on the first test images; the full test sets follow"
    >
      estimate · {entry.images}/task
    </span>
  ) : (
    <span className="badge badge--neutral results__sample" title="Test images per task">
      {entry.images}/task
    </span>
  );
}

/** Accuracy per task and the average; the best of each column is marked. */
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
          Accuracy per task; the best value of each column is bold.
        </caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            {tasks.map((t) => (
              <th scope="col" className="num" key={t.name}>
                {t.title}
              </th>
            ))}
            <th scope="col" className="num">
              Average
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={results[i]!.id}>
              <th scope="row" className="results__label">
                {row.label}
                <SampleBadge entry={results[i]!} />
              </th>
              {row.values.map((v, c) => cell(v, c, i))}
              {cell(row.average, tasks.length, i)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
