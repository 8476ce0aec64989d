import { useId } from 'react';
import type { ParamSpec } from '../../../src/merge/methods/types';
import type { ParamValue } from '../../store';
import { Slider } from '../../components/Slider';
import { allowedRange, effectiveValue, paramLabel, sliderRange } from './params';

interface ParamControlProps {
  spec: ParamSpec;
  value: ParamValue | undefined;
  onChange(value: ParamValue): void;
  /** Prefix for the accessible name, e.g. the checkpoint name for per-model sliders. */
  context?: string;
  /** Say "mergekit default: …" when the value in force differs from the declared default. */
  showDefault?: boolean;
}

/** "mergekit default: 1" beside a value that differs from it (null when it does not). */
function DefaultNote({ spec, current }: { spec: ParamSpec; current: ParamValue | null }) {
  if (spec.default === null || current === null || current === spec.default) return null;
  return (
    <span className="param__default" data-testid={`default-${spec.name}`}>
      mergekit default: {String(spec.default)}
    </span>
  );
}

/** One declared parameter as a control: slider, checkbox or select, chosen by its type. */
export function ParamControl({ spec, value, onChange, context, showDefault }: ParamControlProps) {
  const id = useId();
  const label = paramLabel(spec.name);
  const current = effectiveValue(spec, value);
  const name = context ? `${label} of ${context}` : label;
  if (spec.type === 'number' || spec.type === 'int') {
    const range = sliderRange(spec);
    return (
      <div className="param" title={spec.help}>
        <Slider
          label={label}
          accessibleName={name}
          value={typeof current === 'number' ? current : range.min}
          {...range}
          limits={{ min: spec.min, max: spec.max }}
          onChange={(v) => onChange(spec.type === 'int' ? Math.round(v) : v)}
        />
        {allowedRange(spec) && (
          <span className="param__range" data-testid={`range-${spec.name}`}>
            {allowedRange(spec)}
          </span>
        )}
        {showDefault && <DefaultNote spec={spec} current={current} />}
      </div>
    );
  }
  if (spec.type === 'boolean') {
    return (
      <label className="param param--check" title={spec.help}>
        <input
          type="checkbox"
          aria-label={name}
          checked={current === true}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>{label}</span>
        {showDefault && <DefaultNote spec={spec} current={current} />}
      </label>
    );
  }
  return (
    <div className="param param--select" title={spec.help}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        className="input"
        aria-label={name}
        value={typeof current === 'string' ? current : ''}
        onChange={(e) => onChange(e.target.value)}
      >
        {current === null && <option value="">default</option>}
        {(spec.options ?? []).map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      {showDefault && <DefaultNote spec={spec} current={current} />}
    </div>
  );
}
