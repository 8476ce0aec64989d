import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  hint?: string;
  /** Renders the control with the ids that tie it to its label and hint. */
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
}

/** A label, a control and an optional hint, wired together for assistive technology. */
export function Field({ label, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children({ id, describedBy: hint ? hintId : undefined })}
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
