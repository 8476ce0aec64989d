import type { CheckpointEntry } from '../../store';
import { useStudio } from '../../store';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { formatBytes, formatCount } from '../../lib/format';
import { removeCheckpoint } from './actions';

const LAYOUT_LABEL = { single: 'file', sharded: 'shards', 'hf-folder': 'HF folder' } as const;

function dtypeList(dtypes: Record<string, number | undefined>): string {
  return Object.entries(dtypes)
    .sort(([, a = 0], [, b = 0]) => b - a)
    .map(([dtype]) => dtype)
    .join(', ');
}

function BaseChoice({ entry }: { entry: CheckpointEntry }) {
  const isBase = useStudio((s) => s.baseId === entry.id);
  const setBaseId = useStudio((s) => s.setBaseId);
  return (
    <input
      type="radio"
      name="base-model"
      checked={isBase}
      disabled={entry.status !== 'ready'}
      aria-label={`Use ${entry.name} as the base model`}
      onChange={() => setBaseId(entry.id)}
    />
  );
}

function NameCell({ entry }: { entry: CheckpointEntry }) {
  const summary = entry.status === 'ready' ? entry.summary : null;
  return (
    <th scope="row" className="ckpt__name">
      <span className="ckpt__title">{entry.name}</span>
      {summary && (
        <span className="ckpt__meta">
          {LAYOUT_LABEL[summary.layout]}
          {summary.files.length > 1 ? ` · ${summary.files.length} files` : ''}
          {summary.architecture ? ` · ${summary.architecture}` : ''}
        </span>
      )}
    </th>
  );
}

/** One checkpoint: its numbers when loaded, or its error in place of them. */
export function CheckpointRow({ entry }: { entry: CheckpointEntry }) {
  return (
    <tr
      className={`ckpt ckpt--${entry.status}`}
      data-testid="checkpoint-row"
      data-name={entry.name}
    >
      <td className="ckpt__base">
        <BaseChoice entry={entry} />
      </td>
      <NameCell entry={entry} />
      {entry.status === 'ready' && (
        <>
          <td className="num" data-col="tensors" data-label="Tensors">
            {formatCount(entry.summary.tensorCount)}
          </td>
          <td className="num" data-col="parameters" data-label="Parameters">
            {formatCount(entry.summary.parameterCount)}
          </td>
          <td data-col="dtypes" data-label="Dtypes">
            {dtypeList(entry.summary.dtypes)}
          </td>
          <td className="num" data-col="size" data-label="Size">
            {formatBytes(entry.summary.sizeBytes)}
          </td>
          <td>
            <Badge tone="good">Loaded</Badge>
          </td>
        </>
      )}
      {entry.status === 'loading' && (
        <td colSpan={5}>
          <Badge tone="busy">Reading header…</Badge>
        </td>
      )}
      {entry.status === 'error' && (
        <td
          colSpan={5}
          className="ckpt__error ckpt__wide"
          role="alert"
          data-testid="checkpoint-error"
        >
          <Badge tone="bad">Error</Badge> {entry.error.message}
        </td>
      )}
      <td className="ckpt__actions">
        <Button
          size="sm"
          variant="ghost"
          className="btn--icon"
          aria-label={`Remove ${entry.name}`}
          title="Remove"
          onClick={() => void removeCheckpoint(entry.id)}
        >
          <span aria-hidden="true">✕</span>
        </Button>
      </td>
    </tr>
  );
}
