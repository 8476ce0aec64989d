import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Button } from '../../components/Button';
import { formatCount } from '../../lib/format';
import { useCheckpointDrop } from '../checkpoints/DropZone';
import {
  addFinetunes,
  attachData,
  attachHeads,
  loadBase,
  removeFinetune,
  renameTask,
} from './actions';
import { EntryStatus } from './EntryStatus';
import { PickInput } from './PickInput';
import { useClip, type FinetuneEntry, type ModelEntry } from './store';

const modelDetail = (e: ModelEntry) =>
  e.summary
    ? `${e.summary.architecture} · ${formatCount(e.summary.parameterCount)} parameters`
    : '';

function BaseRow() {
  const base = useClip((s) => s.base);
  const drop = useCheckpointDrop((inputs) => inputs[0] && void loadBase(inputs[0]));
  return (
    <div className="clip-entry" data-testid="clip-base" {...drop.handlers}>
      <span className="clip-entry__role">CLIP base</span>
      <span className="clip-entry__name">{base?.label ?? 'a CLIPModel folder (drop it here)'}</span>
      {base && (
        <EntryStatus
          status={base.status}
          detail={modelDetail(base)}
          error={base.error}
          testId="clip-base"
        />
      )}
      <PickInput
        label={base ? 'Replace…' : 'Base folder…'}
        inputLabel="Choose the CLIP base folder"
        testId="clip-base-input"
        kind="folder"
        onInputs={(inputs) => inputs[0] && void loadBase(inputs[0])}
      />
    </div>
  );
}

function dataDetail(f: FinetuneEntry): string {
  const s = f.data?.summary;
  if (!s) return '';
  const labels = s.labelled ? '' : ', unlabelled';
  return `${s.images} images, ${s.classNames.length} classes (${s.head}${labels})`;
}

function FinetuneRow({ entry, index }: { entry: FinetuneEntry; index: number }) {
  const [task, setTask] = useState(entry.task);
  const ready = entry.status === 'ready';
  const drop = useCheckpointDrop(
    (inputs) => ready && inputs[0] && void attachData(entry.key, inputs[0]),
  );
  const id = `clip-finetune-${index}`;
  return (
    <li
      className="clip-entry"
      data-testid="clip-finetune"
      data-name={entry.label}
      {...drop.handlers}
    >
      <span className="clip-entry__name">{entry.label}</span>
      <EntryStatus
        status={entry.status}
        detail={modelDetail(entry)}
        error={entry.error}
        testId={id}
      />
      <label className="clip-entry__task">
        Task
        <input
          className="input"
          value={task}
          aria-label={`Task of ${entry.label}`}
          onChange={(e) => setTask(e.target.value)}
          onBlur={() => task !== entry.task && void renameTask(entry.key, task)}
        />
      </label>
      <PickInput
        label="Data folder…"
        inputLabel={`Data folder of ${entry.label}`}
        testId={`${id}-data-input`}
        kind="folder"
        disabled={!ready}
        onInputs={(inputs) => inputs[0] && void attachData(entry.key, inputs[0])}
      />
      <PickInput
        label="Parquet…"
        inputLabel={`Parquet file of ${entry.label}`}
        testId={`${id}-parquet-input`}
        kind="file"
        accept=".parquet"
        disabled={!ready}
        onInputs={(inputs) => inputs[0] && void attachData(entry.key, inputs[0])}
      />
      <PickInput
        label="Heads file…"
        inputLabel={`Zero-shot heads file of ${entry.label}`}
        testId={`${id}-heads-input`}
        kind="file"
        accept=".safetensors"
        disabled={entry.data?.status !== 'ready'}
        onInputs={(inputs) => inputs[0] && void attachHeads(entry.key, inputs[0])}
      />
      {entry.data && (
        <EntryStatus
          status={entry.data.status}
          detail={`${entry.data.label}: ${dataDetail(entry)}`}
          error={entry.data.error}
          testId={`${id}-data`}
        />
      )}
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Remove ${entry.label}`}
        onClick={() => void removeFinetune(entry.key)}
      >
        Remove
      </Button>
    </li>
  );
}

/** The base, then one row per fine-tune with its task (name, data) and each entry's state. */
export function ClipModels() {
  const finetunes = useClip(useShallow((s) => s.finetunes));
  const baseReady = useClip((s) => s.base?.status === 'ready');
  const drop = useCheckpointDrop((inputs) => baseReady && void addFinetunes(inputs));
  return (
    <div className="clip-models">
      <BaseRow />
      <div className="clip-finetunes">
        <div className="clip-finetunes__header" {...drop.handlers}>
          <span>Fine-tuned vision towers (CLIPVisionModel folders), one task each</span>
          <PickInput
            label="Add fine-tune…"
            inputLabel="Choose a fine-tuned model folder"
            testId="clip-finetune-input"
            kind="folder"
            disabled={!baseReady}
            onInputs={(inputs) => void addFinetunes(inputs)}
          />
        </div>
        <ul className="clip-finetunes__list" aria-label="Fine-tunes">
          {finetunes.map((f, i) => (
            <FinetuneRow key={f.key} entry={f} index={i} />
          ))}
        </ul>
      </div>
    </div>
  );
}
