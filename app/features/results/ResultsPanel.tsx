import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { EmptyState } from '../../components/EmptyState';

/** Per-task accuracy of everything run in this session (table and chart land with eval). */
export function ResultsPanel() {
  const count = useStudio((s) => s.results.length);
  return (
    <Panel
      title="Results"
      subtitle="Per-task accuracy of every model evaluated in this session."
      className="area-results"
    >
      {count === 0 && (
        <EmptyState title="No results yet">
          Run a merge to compare it with the individual fine-tunes, task by task.
        </EmptyState>
      )}
    </Panel>
  );
}
