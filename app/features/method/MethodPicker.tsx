import { useStudio } from '../../store';
import { Field } from '../../components/Field';
import type { MethodDefinition } from '../../../src/worker/protocol';

function PaperLink({ method }: { method: MethodDefinition }) {
  if (!method.paper) return null;
  return (
    <a className="link" href={method.paper} target="_blank" rel="noreferrer">
      Paper ↗<span className="visually-hidden"> for {method.prettyName} (opens a new tab)</span>
    </a>
  );
}

/** The method select, with what the method does and where it comes from. */
export function MethodPicker({ method }: { method: MethodDefinition }) {
  const methods = useStudio((s) => s.methods);
  const setMethod = useStudio((s) => s.setMethod);
  return (
    <div className="method-picker">
      <Field label="Merge method">
        {({ id }) => (
          <select
            id={id}
            className="input"
            value={method.name}
            onChange={(e) => setMethod(e.target.value)}
          >
            {methods.map((m) => (
              <option key={m.name} value={m.name}>
                {m.prettyName}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p className="method-picker__about">
        {method.description} <PaperLink method={method} />
      </p>
    </div>
  );
}
