import { useEffect, useState } from 'react';
import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { EmptyState } from '../../components/EmptyState';
import { loadMethods } from './actions';
import { GlobalParams } from './GlobalParams';
import { MethodPicker } from './MethodPicker';
import { ModelCountNote } from './ModelCountNote';
import { ModelParams } from './ModelParams';
import { SeedField } from './SeedField';

/** The merge method form, generated from the registry's parameter declarations. */
export function MethodPanel() {
  const method = useStudio((s) => s.methods.find((m) => m.name === s.methodName));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadMethods().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  return (
    <Panel title="Method" subtitle="How the fine-tunes are combined." className="area-method">
      {!method && (
        <EmptyState title={error ? 'Methods could not be loaded' : 'Loading methods…'}>
          {error}
        </EmptyState>
      )}
      {method && (
        <form
          className="method-form"
          aria-label="Merge method settings"
          onSubmit={(e) => e.preventDefault()}
        >
          <MethodPicker method={method} />
          <ModelCountNote method={method} />
          <ModelParams specs={method.modelParams} needsBase={method.needsBase} />
          <GlobalParams specs={method.globalParams} />
          <SeedField />
        </form>
      )}
    </Panel>
  );
}
