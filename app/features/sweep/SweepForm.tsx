import { useShallow } from 'zustand/react/shallow';
import { useStudio, type SweepSettings } from '../../store';
import { Field } from '../../components/Field';
import { sweepAxisIds } from './actions';

type NumberKey = 'min' | 'max' | 'steps' | 'limit';

const NUMBERS: { key: NumberKey; label: string; step: number; min: number }[] = [
  { key: 'min', label: 'λ from', step: 0.1, min: 0 },
  { key: 'max', label: 'λ to', step: 0.1, min: 0 },
  { key: 'steps', label: 'Values per axis', step: 1, min: 1 },
  { key: 'limit', label: 'Test images per task', step: 50, min: 1 },
];

function TaskSelect({ label, which }: { label: string; which: 0 | 1 }) {
  const options = useStudio(
    useShallow((s) =>
      s.checkpoints
        .filter((c) => c.status === 'ready' && c.id !== s.baseId)
        .map((c) => `${c.id}\u0000${c.name}`),
    ),
  );
  const value = useStudio((s) => sweepAxisIds(s)[which]);
  const set = useStudio((s) => s.setSweepSettings);
  return (
    <Field label={label}>
      {({ id }) => (
        <select
          id={id}
          className="input"
          value={value ?? ''}
          onChange={(e) => set(which === 0 ? { taskA: e.target.value } : { taskB: e.target.value })}
        >
          {options.map((key) => {
            const [optionId = '', name = ''] = key.split('\u0000');
            return (
              <option key={optionId} value={optionId}>
                {name}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}

/** Which two fine-tunes, over which λ grid, on how many test images. */
export function SweepForm({ disabled }: { disabled: boolean }) {
  const settings = useStudio((s) => s.sweepSettings);
  const set = useStudio((s) => s.setSweepSettings);
  return (
    <fieldset className="ada-options" disabled={disabled}>
      <legend className="visually-hidden">Sweep settings</legend>
      <TaskSelect label="Task A (x axis)" which={0} />
      <TaskSelect label="Task B (y axis)" which={1} />
      {NUMBERS.map(({ key, label, step, min }) => (
        <Field key={key} label={label}>
          {({ id }) => (
            <input
              id={id}
              className="input"
              type="number"
              step={step}
              min={min}
              value={settings[key]}
              onChange={(e) => {
                const value = Number(e.target.value);
                if (e.target.value !== '' && Number.isFinite(value) && value >= min)
                  set({ [key]: value } as Partial<SweepSettings>);
              }}
            />
          )}
        </Field>
      ))}
    </fieldset>
  );
}
