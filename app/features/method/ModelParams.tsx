import { useShallow } from 'zustand/react/shallow';
import type { ParamSpec } from '../../../src/merge/methods/types';
import { useStudio } from '../../store';
import { ParamControl } from './ParamControl';

function ModelGroup({ id, name, specs }: { id: string; name: string; specs: ParamSpec[] }) {
  const values = useStudio((s) => s.modelParams[id]);
  const setModelParam = useStudio((s) => s.setModelParam);
  return (
    <fieldset className="model-group">
      <legend className="model-group__name">{name}</legend>
      {specs.map((spec) => (
        <ParamControl
          key={spec.name}
          spec={spec}
          context={name}
          value={values?.[spec.name]}
          onChange={(v) => setModelParam(id, spec.name, v)}
        />
      ))}
    </fieldset>
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
