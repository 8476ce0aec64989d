import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Button } from '../../components/Button';
import { Slider } from '../../components/Slider';
import type { SimoRunOptions } from '../../../src/worker/simo/protocol';
import { pauseSimo, runSimo } from './actions';
import { useSimo } from './store';

const prefixes = (text: string) =>
  text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

function NumberField(props: {
  label: string;
  name: string;
  value: number;
  min: number;
  max?: number;
  step?: number;
  onChange(value: number): void;
}) {
  return (
    <label className="field">
      {props.label}
      <input
        className="input simo-number"
        type="number"
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        value={props.value}
        aria-label={props.name}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
    </label>
  );
}

/** Split, merge, fix and validation choices; Run SIMO and Pause / Resume while it runs. */
export function SimoControls() {
  const { summary, runStatus, busy } = useSimo(
    useShallow((s) => ({ summary: s.pool?.summary, runStatus: s.runStatus, busy: s.job !== null })),
  );
  // The registry's declared split until edited (the panel re-mounts this for a new pool).
  const [shared, setShared] = useState(summary?.split.shared.join(', ') ?? '');
  const [specific, setSpecific] = useState(summary?.split.taskSpecific.join(', ') ?? '');
  const [o, setO] = useState({
    method: 'task_arithmetic' as SimoRunOptions['method'],
    lambda: 0.3,
    density: 0.2,
    fix: 'both' as SimoRunOptions['fix'],
    valFraction: 0.05,
    steps: 100,
    testLimit: 48,
  });
  const update = (patch: Partial<typeof o>) => setO((s) => ({ ...s, ...patch }));
  const options: SimoRunOptions = {
    ...o,
    density: o.method === 'ties' ? o.density : undefined,
    split: { shared: prefixes(shared), taskSpecific: prefixes(specific) },
  };
  const running = runStatus === 'running' || runStatus === 'paused';
  const ready = !!summary;
  return (
    <div className="simo-controls" data-testid="simo-controls">
      <fieldset className="simo-split" disabled={!ready}>
        <legend>Encoder / decoder split (from the architecture registry; editable)</legend>
        <label className="field">
          Shared (merged) prefixes
          <input
            className="input"
            value={shared}
            aria-label="SIMO shared prefixes"
            onChange={(e) => setShared(e.target.value)}
          />
        </label>
        <label className="field">
          Task-specific prefixes (kept per task)
          <input
            className="input"
            value={specific}
            aria-label="SIMO task-specific prefixes"
            onChange={(e) => setSpecific(e.target.value)}
          />
        </label>
      </fieldset>
      <div className="simo-controls__row">
        <label className="field">
          Merge method
          <select
            className="input"
            aria-label="SIMO merge method"
            value={o.method}
            onChange={(e) => {
              const method = e.target.value as SimoRunOptions['method'];
              update({ method, lambda: method === 'ties' ? 1 : 0.3 });
            }}
          >
            <option value="task_arithmetic">Task arithmetic</option>
            <option value="ties">TIES</option>
          </select>
        </label>
        <Slider
          label="λ"
          accessibleName="SIMO λ"
          min={0.05}
          max={1.5}
          step={0.05}
          value={o.lambda}
          onChange={(lambda) => update({ lambda })}
        />
        {o.method === 'ties' && (
          <Slider
            label="Density"
            accessibleName="SIMO TIES density"
            min={0.05}
            max={1}
            step={0.05}
            value={o.density}
            onChange={(density) => update({ density })}
          />
        )}
        <label className="field">
          Fix
          <select
            className="input"
            aria-label="SIMO fix"
            value={o.fix}
            onChange={(e) => update({ fix: e.target.value as SimoRunOptions['fix'] })}
          >
            <option value="none">None (plain merge)</option>
            <option value="heads">Head re-alignment</option>
            <option value="representation">Representation re-alignment</option>
            <option value="both">Both</option>
          </select>
        </label>
      </div>
      <div className="simo-controls__row">
        <NumberField
          label={`Validation fraction${summary ? ` (${Math.round(summary.train * o.valFraction)} of ${summary.train} images)` : ''}`}
          name="SIMO validation fraction"
          value={o.valFraction}
          min={0}
          max={1}
          step={0.01}
          onChange={(valFraction) => update({ valFraction })}
        />
        <NumberField
          label="Steps per fix"
          name="SIMO steps"
          value={o.steps}
          min={1}
          onChange={(steps) => update({ steps: Math.max(1, Math.round(steps) || 1) })}
        />
        <NumberField
          label={`Test scenes${summary ? ` (of ${summary.test})` : ''}`}
          name="SIMO test scenes"
          value={o.testLimit}
          min={3}
          max={summary?.test}
          onChange={(testLimit) => update({ testLimit: Math.max(3, Math.round(testLimit) || 3) })}
        />
        <Button variant="primary" disabled={!ready || busy} onClick={() => void runSimo(options)}>
          Run SIMO
        </Button>
        {running && (
          <Button onClick={() => void pauseSimo(runStatus === 'running')}>
            {runStatus === 'paused' ? 'Resume SIMO' : 'Pause SIMO'}
          </Button>
        )}
      </div>
    </div>
  );
}
