import { useId } from 'react';
import { sliderGrabbed } from '../lib/sliderGesture';

interface SliderProps {
  label: string;
  /** Full name for assistive technology when the visible label is short ("Weight of a"). */
  accessibleName?: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange(value: number): void;
  disabled?: boolean;
  /** Hard limits for typed values, when wider than the slider's range (default: the range). */
  limits?: { min?: number; max?: number };
}

/** A range slider with a number box beside it: quick to drag, exact to type. */
export function Slider(props: SliderProps) {
  const { label, value, min, max, step, onChange, disabled } = props;
  const name = props.accessibleName ?? label;
  const id = useId();
  const low = props.limits ? (props.limits.min ?? -Infinity) : min;
  const high = props.limits ? (props.limits.max ?? Infinity) : max;
  const commit = (raw: string) => {
    const parsed = Number(raw);
    if (raw !== '' && Number.isFinite(parsed)) onChange(Math.min(high, Math.max(low, parsed)));
  };
  return (
    <div className="slider">
      <label className="slider__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        aria-label={name}
        className="slider__range"
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        disabled={disabled}
        onPointerDown={sliderGrabbed}
        onChange={(e) => commit(e.target.value)}
      />
      <input
        className="slider__number"
        type="number"
        aria-label={`${name} value`}
        min={Number.isFinite(low) ? low : undefined}
        max={Number.isFinite(high) ? high : undefined}
        step={step}
        value={value}
        disabled={disabled}
        onChange={(e) => commit(e.target.value)}
      />
    </div>
  );
}
