import { Panel } from '../../components/Panel';
import { EmptyState } from '../../components/EmptyState';

/** The merge method form, generated from the registry's parameter declarations. */
export function MethodPanel() {
  return (
    <Panel title="Method" subtitle="How the fine-tunes are combined." className="area-method">
      <EmptyState title="Merge methods are not available yet">
        The method registry has not landed in this build.
      </EmptyState>
    </Panel>
  );
}
