/** Result rows as a table (and CSV/JSON): one row per evaluated model, one column per task. */
import type { ResultEntry, TaskInfo } from '../../store';

export interface ResultRow {
  label: string;
  method: string;
  /** Accuracy per task in task order (null when a task was not measured). */
  values: (number | null)[];
  average: number | null;
}

export function resultRows(results: ResultEntry[], tasks: TaskInfo[]): ResultRow[] {
  return results.map((r) => {
    const values = tasks.map((t) => r.accuracy[t.name] ?? null);
    const measured = values.filter((v): v is number => v !== null);
    const average = measured.length ? measured.reduce((a, b) => a + b, 0) / measured.length : null;
    return { label: r.label, method: r.method, values, average };
  });
}

/** Index of the best row per column (tasks, then average); ties go to the earliest row. */
export function bestPerColumn(rows: ResultRow[]): number[] {
  const columns = (rows[0]?.values.length ?? 0) + 1;
  return Array.from({ length: columns }, (_, c) => {
    let best = -1;
    rows.forEach((row, i) => {
      const v = c < row.values.length ? row.values[c] : row.average;
      const current =
        best < 0
          ? null
          : c < rows[best]!.values.length
            ? rows[best]!.values[c]
            : rows[best]!.average;
      if (v != null && (current == null || v > current)) best = i;
    });
    return best;
  });
}

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** Accuracies as fractions with 4 decimals, so spreadsheets can format them. */
export function resultsCsv(rows: ResultRow[], tasks: TaskInfo[]): string {
  const header = ['model', 'method', ...tasks.map((t) => t.name), 'average'].map(csvCell).join(',');
  const lines = rows.map((row) =>
    [
      csvCell(row.label),
      csvCell(row.method),
      ...row.values.map((v) => (v === null ? '' : v.toFixed(4))),
      row.average === null ? '' : row.average.toFixed(4),
    ].join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}

export function resultsJson(results: ResultEntry[], tasks: TaskInfo[]): string {
  return JSON.stringify({ tasks, results }, null, 2);
}
