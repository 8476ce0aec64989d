import { useRef } from 'react';
import { Button } from '../../components/Button';
import { fileAccess, pickFiles, pickFolder } from './fileAccess';
import { filesOfInputList } from './readEntries';
import { loadCheckpoints } from './actions';

/** Open files / Open folder: native pickers where they exist, `<input type=file>` elsewhere. */
export function LoadControls() {
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const openFiles = async () => {
    if (!fileAccess.openFilePicker) return filesInput.current?.click();
    const handles = await pickFiles();
    await loadCheckpoints(handles.map((handle) => ({ kind: 'fileHandle', handle })));
  };
  const openFolder = async () => {
    if (!fileAccess.directoryPicker) return folderInput.current?.click();
    const handle = await pickFolder();
    if (handle) await loadCheckpoints([{ kind: 'directoryHandle', handle }]);
  };
  const fromInput = (input: HTMLInputElement) => {
    if (input.files) void loadCheckpoints(filesOfInputList(input.files));
    input.value = ''; // choosing the same file again must fire change again
  };

  return (
    <div className="load-controls">
      <Button variant="primary" onClick={() => void openFiles()}>
        Open files…
      </Button>
      <Button onClick={() => void openFolder()}>Open folder…</Button>
      {!fileAccess.openFilePicker && (
        <input
          ref={filesInput}
          className="visually-hidden"
          type="file"
          multiple
          accept=".safetensors,.json"
          aria-label="Choose checkpoint files"
          data-testid="file-input"
          tabIndex={-1}
          onChange={(e) => fromInput(e.currentTarget)}
        />
      )}
      {!fileAccess.directoryPicker && (
        <input
          ref={folderInput}
          className="visually-hidden"
          type="file"
          // React does not know webkitdirectory; the attribute is what browsers read.
          {...{ webkitdirectory: '', directory: '' }}
          aria-label="Choose a checkpoint folder"
          data-testid="folder-input"
          tabIndex={-1}
          onChange={(e) => fromInput(e.currentTarget)}
        />
      )}
    </div>
  );
}
