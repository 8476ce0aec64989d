import type { ParamSpec } from '../../../src/merge/methods/types';
import { useStudio } from '../../store';
import { ParamControl } from './ParamControl';

function ParamList({ specs }: { specs: ParamSpec[] }) {
  const values = useStudio((s) => s.globalParams);
  const setGlobalParam = useStudio((s) => s.setGlobalParam);
  return (
    <div className="param-list">
      {specs.map((spec) => (
        <ParamControl
          key={spec.name}
          spec={spec}
          value={values[spec.name]}
          showDefault
          onChange={(v) => setGlobalParam(spec.name, v)}
        />
      ))}
    </div>
  );
}

/** Method-wide parameters; studio-only ones (not in mergekit) fold away under a disclosure. */
export function GlobalParams({ specs }: { specs: ParamSpec[] }) {
  const common = specs.filter((s) => !s.studioOnly);
  const studioOnly = specs.filter((s) => s.studioOnly);
  if (specs.length === 0) return null;
  return (
    <fieldset className="group">
      <legend className="group__legend">Global parameters</legend>
      <ParamList specs={common} />
      {studioOnly.length > 0 && (
        <details className="disclosure">
          <summary>Paper semantics and studio options ({studioOnly.length})</summary>
          <ParamList specs={studioOnly} />
        </details>
      )}
    </fieldset>
  );
}
