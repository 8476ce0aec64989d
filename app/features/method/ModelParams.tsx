import { useShallow } from 'zustand/react/shallow';
import type { ParamSpec } from '../../../src/merge/methods/types';
import { useStudio } from '../../store';
import { ParamControl } from './ParamControl';
import { initialModelValues, initialSource } from './initialValues';
import { paramLabel } from './params';

function ModelGroup({ id, name, specs }: { id: string; name: string; specs: ParamSpec[] }) {
  const changed = useStudio((s) => s.modelParams[id]);
  const method = useStudio((s) => s.methodName);
  const values = { ...initialModelValues(method), ...changed };
  const setModelParam = useStudio((s) => s.setModelParam);
  return (
    <fieldset className="model-group">
      <legend className="model-group__name">{name}</legend>
      {specs.map((spec) => (
        <ParamControl
          key={spec.name}
          spec={spec}
          context={name}
          value={values[spec.name]}
          onChange={(v) => setModelParam(id, spec.name, v)}
        />
      ))}
    </fieldset>
  );
}

/** One line saying where the form starts away from mergekit's default (e.g. TIES density). */
function InitialNote({ specs }: { specs: ParamSpec[] }) {
  const method = useStudio((s) => s.methodName);
  const initial = initialModelValues(method);
  const items = specs
    .filter((spec) => initial[spec.name] !== undefined && initial[spec.name] !== spec.default)
    .map(
      (spec) =>
        `${paramLabel(spec.name)} starts at ${String(initial[spec.name])} for every model (mergekit default: ${String(spec.default)})`,
    );
  if (items.length === 0) return null;
  return (
    <p className="note param__default" data-testid="initial-note">
      {items.join('; ')} — {initialSource(method)}.
    </p>
  );
}

/** Per-model sliders (weight, density, …) for every loaded model except the base. */
export function ModelParams({ specs, needsBase }: { specs: ParamSpec[]; needsBase: boolean }) {
  const models = useStudio(
    useShallow((s) =>
      s.checkpoints
        .filter((c) => c.status === 'ready' && !(needsBase && c.id === s.baseId))
        .map((c) => `${c.id}\u0000${c.name}`),
    ),
  );
  if (specs.length === 0) return null;
  return (
    <fieldset className="group">
      <legend className="group__legend">Per-model parameters</legend>
      <InitialNote specs={specs} />
      {models.length === 0 && (
        <p className="muted">Load fine-tuned checkpoints to set their weights.</p>
      )}
      {models.map((key) => {
        const [id = '', name = ''] = key.split('\u0000');
        return <ModelGroup key={id} id={id} name={name} specs={specs} />;
      })}
    </fieldset>
  );
}
