import { useId } from 'react';

interface SliderProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange(value: number): void;
  disabled?: boolean;
}

/** A range slider with a number box beside it: quick to drag, exact to type. */
export function Slider({ label, value, min, max, step, onChange, disabled }: SliderProps) {
  const id = useId();
  const commit = (raw: string) => {
    const parsed = Number(raw);
    if (raw !== '' && Number.isFinite(parsed)) onChange(Math.min(max, Math.max(min, parsed)));
  };
  return (
    <div className="slider">
      <label className="slider__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="slider__range"
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        disabled={disabled}
        onChange={(e) => commit(e.target.value)}
      />
      <input
        className="slider__number"
        type="number"
        aria-label={`${label} value`}
        min={min}
        max={max}
        step={step}
        value={value}
        disabled={disabled}
        onChange={(e) => commit(e.target.value)}
      />
    </div>
  );
}
