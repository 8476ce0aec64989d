import { useStudio } from '../../store';
import { Field } from '../../components/Field';

type NumberKey = 'steps' | 'lr' | 'init' | 'seed' | 'evalEvery' | 'evalLimit' | 'batchSize';

const NUMBERS: { key: NumberKey; label: string; step: number; min: number }[] = [
  { key: 'steps', label: 'Steps', step: 10, min: 1 },
  { key: 'lr', label: 'Learning rate', step: 0.0005, min: 0.0001 },
  { key: 'init', label: 'Initial λ', step: 0.05, min: 0 },
  { key: 'batchSize', label: 'Batch per task', step: 1, min: 1 },
  { key: 'evalEvery', label: 'Evaluate every', step: 5, min: 0 },
  // While learning, a subset: the full sets are scored once, at the end.
  { key: 'evalLimit', label: 'Evaluate on (images/task, 0 = all)', step: 50, min: 0 },
  { key: 'seed', label: 'Sampling seed', step: 1, min: 0 },
];

/** The run's options (paper defaults, fewer steps): mode, ++, clamp and the numbers. */
export function AdaOptionsForm({ disabled }: { disabled: boolean }) {
  const options = useStudio((s) => s.adaOptions);
  const set = useStudio((s) => s.setAdaOptions);
  return (
    <fieldset className="ada-options" disabled={disabled}>
      <legend className="visually-hidden">AdaMerging options</legend>
      <Field label="Coefficients">
        {({ id }) => (
          <select
            id={id}
            className="input"
            value={options.mode}
            onChange={(e) => set({ mode: e.target.value as 'task' | 'layer' })}
          >
            <option value="layer">layer-wise (one λ per task per tensor)</option>
            <option value="task">task-wise (one λ per task)</option>
          </select>
        )}
      </Field>
      {NUMBERS.map(({ key, label, step, min }) => (
        <Field key={key} label={label}>
          {({ id }) => (
            <input
              id={id}
              className="input"
              type="number"
              step={step}
              min={min}
              value={options[key] ?? ''}
              onChange={(e) => {
                const value = Number(e.target.value);
                if (e.target.value !== '' && Number.isFinite(value) && value >= min)
                  set({ [key]: value });
              }}
            />
          )}
        </Field>
      ))}
      <label className="param--check">
        <input
          type="checkbox"
          checked={options.plus ?? false}
          onChange={(e) => set({ plus: e.target.checked })}
        />
        <span>AdaMerging++ (TIES-selected task vectors)</span>
      </label>
      <label className="param--check">
        <input
          type="checkbox"
          checked={options.clamp ?? true}
          onChange={(e) => set({ clamp: e.target.checked })}
        />
        <span>Clamp λ to [0, 1]</span>
      </label>
    </fieldset>
  );
}
