import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { downloadBlob } from '../export/download';
import { resultRows, resultsCsv, resultsJson } from './table';

export function ResultsExport() {
  const save = (format: 'csv' | 'json') => {
    const { results, resultTasks } = useStudio.getState();
    const text =
      format === 'csv'
        ? resultsCsv(resultRows(results, resultTasks), resultTasks)
        : resultsJson(results, resultTasks);
    const type = format === 'csv' ? 'text/csv' : 'application/json';
    downloadBlob(new Blob([text], { type }), `merge-studio-results.${format}`);
  };
  return (
    <div className="export__buttons">
      <Button size="sm" onClick={() => save('csv')}>
        Results (CSV)
      </Button>
      <Button size="sm" onClick={() => save('json')}>
        Results (JSON)
      </Button>
    </div>
  );
}
