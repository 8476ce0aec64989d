import { useState } from 'react';
import { useStudio } from '../../store';
import { formatBytes } from '../../lib/format';
import { Button } from '../../components/Button';
import { downloadRecipe } from '../export/recipeDownload';

/** What the last merge produced, where it went, and the download when it is in memory. */
export function MergeSummary() {
  const last = useStudio((s) => s.lastMerge);
  const [note, setNote] = useState('');
  if (!last) return null;
  const { outcome, downloadUrl, recipe, modulators } = last;
  return (
    <div className="merge-summary" data-testid="merge-summary">
      <dl className="stats">
        <div>
          <dt>Tensors</dt>
          <dd>
            {outcome.tensors} ({outcome.merged} merged, {outcome.copied} copied)
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(outcome.bytesWritten)}</dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            {outcome.seconds.toFixed(2)} s on {outcome.device === 'webgpu' ? 'WebGPU' : 'CPU'}
          </dd>
        </div>
      </dl>
      {outcome.nonFinite > 0 && (
        <p className="note note--warn">
          {outcome.nonFinite} NaN/Inf values in the merged tensors: check the inputs.
        </p>
      )}
      {outcome.warnings.map((warning) => (
        <p key={warning} className="note note--warn">
          {warning}
        </p>
      ))}
      <div className="export__buttons">
        {downloadUrl ? (
          <a className="btn btn--secondary btn--md" href={downloadUrl} download={outcome.fileName}>
            Download {outcome.fileName}
          </a>
        ) : (
          <p className="muted">Saved to {outcome.fileName}.</p>
        )}
        {/* EMR: each task's 1-bit mask and rescaler, for `eval --modulators` (the CLI's format). */}
        {modulators && (
          <a
            className="btn btn--secondary btn--md"
            href={modulators.url}
            download={modulators.fileName}
            title={`Per-task modulators: rescalers ${modulators.rescalers.map((r) => r.toFixed(3)).join(', ')}`}
          >
            Download {modulators.fileName}
          </a>
        )}
        {/* The recipe this merge was made from, captured at Merge: the form may have moved on. */}
        <Button onClick={() => void downloadRecipe(recipe, 'This merge’s recipe').then(setNote)}>
          This merge’s recipe (YAML)
        </Button>
      </div>
      {note && (
        <p className="muted export__note" role="status">
          {note}
        </p>
      )}
    </div>
  );
}
