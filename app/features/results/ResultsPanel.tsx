import { useDeferredValue } from 'react';
import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { EmptyState } from '../../components/EmptyState';
import { AccuracyChart } from './AccuracyChart';
import { EMR_MODULATED, EMR_UNIFIED } from './actions';
import { DemoProgress } from './DemoProgress';
import { EvaluateButton } from './EvaluateButton';
import { ResultsExport } from './ResultsExport';
import { ResultsTable } from './ResultsTable';
import { LiveToggle } from '../explore/LiveToggle';

/** Per-task accuracy of everything evaluated in this session: table, grouped bars, export. */
export function ResultsPanel() {
  const results = useStudio((s) => s.results);
  const tasks = useStudio((s) => s.resultTasks);
  // The table commits first; the chart (the costlier render) follows when React has time, so
  // a live update reaches the numbers without waiting for the bars.
  const chartResults = useDeferredValue(results);
  return (
    <Panel
      title="Results"
      subtitle="Per-task accuracy of every model evaluated in this session."
      className="area-results"
      actions={results.length > 0 ? <ResultsExport /> : undefined}
    >
      <EvaluateButton />
      <LiveToggle />
      {results.length === 0 ? (
        <>
          <DemoProgress />
          <EmptyState title="No results yet">
            Load the demo: it merges with the settings its zoo was swept for and evaluates at once,
            comparing the merge with the base model and with the individual fine-tunes, task by
            task.
          </EmptyState>
        </>
      ) : (
        <>
          <ResultsTable results={results} tasks={tasks} />
          <p className="note results__meaning" data-testid="results-meaning">
            A merge is one encoder shared by all tasks, each task keeping its own head: it helps
            when it beats the base + task heads row (no merging) and the closer it comes to the
            individual fine-tunes (one model per task) the better.
            {results.some((r) => r.method === 'emr') && (
              <>
                {' '}
                An EMR merge’s “{EMR_MODULATED}” row is not one shared encoder: each task runs the
                unified model through its own 1-bit mask and rescaler; its “{EMR_UNIFIED}” row is
                the shared encoder alone.
              </>
            )}
          </p>
          <AccuracyChart results={chartResults} tasks={tasks} />
        </>
      )}
    </Panel>
  );
}
