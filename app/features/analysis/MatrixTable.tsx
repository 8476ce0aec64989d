import { memo } from 'react';

interface MatrixTableProps {
  caption: string;
  testId: string;
  labels: string[];
  values: number[][];
  /** Cell background for a value (NaN never reaches it). */
  shade: (value: number) => string;
  digits?: number;
}

/** A labelled task × task matrix: each cell shows its value over a colour of matching strength. */
export const MatrixTable = memo(function MatrixTable({
  caption,
  testId,
  labels,
  values,
  shade,
  digits = 2,
}: MatrixTableProps) {
  return (
    <div className="matrix-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="matrix" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <td />
            {labels.map((label) => (
              <th key={label} scope="col" title={label}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {values.map((row, a) => (
            <tr key={labels[a]}>
              <th scope="row" title={labels[a]}>
                {labels[a]}
              </th>
              {row.map((v, b) => (
                <td
                  key={labels[b]}
                  data-row={labels[a]}
                  data-col={labels[b]}
                  style={Number.isNaN(v) ? undefined : { background: shade(v) }}
                >
                  {Number.isNaN(v) ? '–' : v.toFixed(digits)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
