import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Button } from '../../components/Button';
import { SeriesLineChart } from '../../components/SeriesLineChart';
import { formatBytes } from '../../lib/format';
import { seriesRows } from '../../lib/seriesRows';
import type { AdaMergingOptions } from '../../../src/worker/protocol';
import { downloadBlob } from '../export/download';
import { cancelJob, checkFootprint, pauseAdaMerging, runAdaMerging } from './actions';
import { useClip } from './store';

const mean = (row: number[]) => row.reduce((a, b) => a + b, 0) / Math.max(row.length, 1);

function Footprint() {
  const footprint = useClip((s) => s.footprint);
  if (!footprint) return null;
  const limit =
    footprint.limitBytes === null
      ? 'no GPU buffer limit (tfjs on wasm/CPU)'
      : `adapter limit ${formatBytes(footprint.limitBytes)} per buffer`;
  return (
    <p
      className={`clip-note ${footprint.problem ? 'clip-note--error' : ''}`}
      data-testid="clip-footprint"
    >
      {footprint.text} — {limit}
      {footprint.problem && <strong role="alert"> {footprint.problem}</strong>}
    </p>
  );
}

function Progress() {
  const { ada, tasks } = useClip(useShallow((s) => ({ ada: s.ada, tasks: s.tasks })));
  const data = useMemo(
    () => seriesRows(ada?.steps ?? [], 'step', (p) => ({ x: p.step, values: p.entropy })),
    [ada?.steps],
  );
  if (!ada) return null;
  return (
    <div
      className="clip-ada__progress"
      data-testid="clip-ada"
      data-status={ada.status}
      data-steps={ada.steps.length}
    >
      <div className="clip-ada__chart">
        <SeriesLineChart
          label="CLIP AdaMerging entropy per task by step"
          caption="Entropy per task"
          testId="clip-entropy-chart"
          data={data}
          xKey="step"
          series={tasks.map((t) => t.name)}
          numericX
          dots={false}
        />
      </div>
      {ada.lambdas && (
        <ul className="clip-ada__lambdas" aria-label="Learned λ">
          {tasks.map((t, k) => (
            <li key={t.name}>
              {t.name}: λ {ada.lambdas![k] ? mean(ada.lambdas![k]!).toFixed(3) : '—'}
              {ada.lambdas![k] && ada.lambdas![k]!.length > 1 ? ' (mean over tensors)' : ''}
            </li>
          ))}
        </ul>
      )}
      {ada.note && ada.status !== 'done' && <p className="clip-note">{ada.note}</p>}
    </div>
  );
}

function Exports() {
  const exported = useClip((s) => s.ada?.export);
  if (!exported) return null;
  const text = (t: string, type: string) => new Blob([t], { type });
  return (
    <div className="clip-ada__export">
      <Button
        size="sm"
        onClick={() => downloadBlob(new Blob([exported.bytes as BlobPart]), exported.fileName)}
      >
        Download {exported.fileName}
      </Button>
      <Button
        size="sm"
        onClick={() => downloadBlob(text(exported.recipeYaml, 'text/yaml'), 'mergekit_config.yml')}
      >
        Download recipe
      </Button>
      <Button
        size="sm"
        onClick={() => downloadBlob(text(exported.configJson, 'application/json'), 'config.json')}
      >
        Download config.json
      </Button>
    </div>
  );
}

/** A positive whole number (steps, batch size). */
function CountField(props: {
  label: string;
  name: string;
  value: number;
  onChange(value: number): void;
}) {
  return (
    <label className="field">
      {props.label}
      <input
        className="input"
        type="number"
        min={1}
        value={props.value}
        aria-label={props.name}
        onChange={(e) => props.onChange(Math.max(1, Number(e.target.value) || 1))}
      />
    </label>
  );
}

/** CLIP AdaMerging on the attached tasks: options, memory check, run / pause / cancel, export. */
export function ClipAdaMerging({ ready }: { ready: boolean }) {
  const [mode, setMode] = useState<'task' | 'layer'>('layer');
  const [steps, setSteps] = useState(100);
  const [batchSize, setBatchSize] = useState(16);
  const [plus, setPlus] = useState(false);
  const { status, busy } = useClip(
    useShallow((s) => ({ status: s.ada?.status, busy: s.job !== null })),
  );
  const options: AdaMergingOptions = { mode, plus, steps, batchSize, batchesPerTask: 1 };
  const running = status === 'running' || status === 'paused';
  return (
    <div className="clip-ada">
      <div className="clip-results__controls">
        <label className="field">
          Mode
          <select
            className="input"
            value={mode}
            onChange={(e) => setMode(e.target.value as 'task' | 'layer')}
          >
            <option value="task">Task-wise</option>
            <option value="layer">Layer-wise</option>
          </select>
        </label>
        <CountField label="Steps" name="AdaMerging steps" value={steps} onChange={setSteps} />
        <CountField
          label="Images per task per step"
          name="AdaMerging batch size"
          value={batchSize}
          onChange={setBatchSize}
        />
        <label className="param--check">
          <input type="checkbox" checked={plus} onChange={(e) => setPlus(e.target.checked)} />
          <span>AdaMerging++ (TIES-selected task vectors)</span>
        </label>
        <Button disabled={!ready} onClick={() => void checkFootprint(options)}>
          Check GPU memory
        </Button>
        <Button
          variant="primary"
          disabled={!ready || busy}
          onClick={() => void runAdaMerging(options, 64)}
        >
          Run CLIP AdaMerging
        </Button>
        {running && (
          <>
            <Button onClick={() => void pauseAdaMerging(status === 'running')}>
              {status === 'paused' ? 'Resume' : 'Pause'}
            </Button>
            <Button variant="danger" onClick={cancelJob}>
              Cancel AdaMerging
            </Button>
          </>
        )}
      </div>
      <Footprint />
      <Progress />
      <Exports />
    </div>
  );
}
