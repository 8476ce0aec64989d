import { useState } from 'react';
import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { formatBytes } from '../../lib/format';
import { fileAccess, pickSaveFile } from '../checkpoints/fileAccess';
import { downloadBlob } from '../export/download';

/** Streams the in-memory checkpoint into a file the user picked (File System Access API). */
async function saveToFile(url: string, fileName: string): Promise<string | null> {
  const handle = await pickSaveFile(fileName); // first, inside the click: needs user activation
  if (!handle) return null;
  const blob = await (await fetch(url)).blob();
  await blob.stream().pipeTo(await handle.createWritable());
  return handle.name;
}

/** The learned merge like any other: the checkpoint (download or save picker) and its recipe. */
export function AdaExport() {
  const file = useStudio((s) => s.adaExport);
  const [note, setNote] = useState('');
  if (!file) return null;
  const save = async () => {
    try {
      const saved = await saveToFile(file.url, file.fileName);
      if (saved) setNote(`Saved to ${saved}.`);
    } catch (error) {
      setNote(`Not saved: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const recipe = () => {
    const name = file.fileName.replace(/\.safetensors$/, '.yml');
    downloadBlob(new Blob([file.recipeYaml], { type: 'application/yaml' }), name);
    setNote(`Recipe saved as ${name}.`);
  };
  return (
    <div className="export" data-testid="ada-export">
      <div className="export__buttons">
        <a
          className="btn btn--secondary btn--sm"
          href={file.url}
          download={file.fileName}
          aria-label={`Download the AdaMerging model (${file.fileName})`}
        >
          Download {file.fileName} ({formatBytes(file.sizeBytes)})
        </a>
        {fileAccess.savePicker && (
          <Button size="sm" onClick={() => void save()}>
            Save AdaMerging model to file…
          </Button>
        )}
        <Button size="sm" onClick={recipe}>
          AdaMerging recipe (YAML)
        </Button>
      </div>
      <p className="muted export__note" role="status" aria-live="polite">
        {note}
      </p>
    </div>
  );
}
