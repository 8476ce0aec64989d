import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { fileAccess, pickSaveFile } from '../checkpoints/fileAccess';
import { cancelMerge, startMerge } from './actions';
import { useMergeBlocker } from './useMergeBlocker';

const FILE_NAME = 'merged.safetensors';

/** Merge (into memory, then download) or Merge to file (streamed), and Cancel. */
export function MergeButtons() {
  const running = useStudio((s) => s.runStatus === 'running');
  const blocker = useMergeBlocker();
  const disabled = running || blocker !== null;
  const toFile = async () => {
    const handle = await pickSaveFile(FILE_NAME); // inside the click: needs user activation
    if (handle) await startMerge({ kind: 'file', handle });
  };
  return (
    <div className="run__controls">
      <Button
        variant="primary"
        disabled={disabled}
        aria-describedby={blocker ? 'merge-blocker' : undefined}
        onClick={() => void startMerge({ kind: 'memory', fileName: FILE_NAME })}
      >
        Merge
      </Button>
      {fileAccess.savePicker && (
        <Button disabled={disabled} onClick={() => void toFile()}>
          Merge to file…
        </Button>
      )}
      <Button variant="danger" disabled={!running} aria-label="Cancel merge" onClick={cancelMerge}>
        Cancel
      </Button>
      {blocker && !running && (
        <p id="merge-blocker" className="run__blocker">
          {blocker}
        </p>
      )}
    </div>
  );
}
