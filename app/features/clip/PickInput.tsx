import { useRef } from 'react';
import { Button } from '../../components/Button';
import type { CheckpointInput } from '../../../src/worker/protocol';
import { fileAccess, pickFolder } from '../checkpoints/fileAccess';
import { filesOfInputList } from '../checkpoints/readEntries';

interface PickInputProps {
  /** The button's text ("Base folder…"). */
  label: string;
  /** Accessible name of the hidden input, and its test id. */
  inputLabel: string;
  testId: string;
  /** A folder (the directory picker, else webkitdirectory) or one file (`accept`). */
  kind: 'folder' | 'file';
  accept?: string;
  multiple?: boolean;
  disabled?: boolean;
  onInputs(inputs: CheckpointInput[]): void;
}

/**
 * A folder or file choice as the checkpoints panel makes it: the File System Access picker
 * where there is one, else `<input type=file>` / `webkitdirectory`. The input is always in
 * the page (hidden), so the fallback also works where the picker exists.
 */
export function PickInput(props: PickInputProps) {
  const { label, inputLabel, testId, kind, accept, multiple, disabled, onInputs } = props;
  const input = useRef<HTMLInputElement>(null);
  const open = async () => {
    if (kind === 'file' || !fileAccess.directoryPicker) return input.current?.click();
    const handle = await pickFolder();
    if (handle) onInputs([{ kind: 'directoryHandle', handle }]);
  };
  const changed = (element: HTMLInputElement) => {
    if (element.files && element.files.length > 0) onInputs(filesOfInputList(element.files));
    element.value = ''; // choosing the same folder again must fire change again
  };
  return (
    <>
      <Button size="sm" disabled={disabled} onClick={() => void open()}>
        {label}
      </Button>
      <input
        ref={input}
        className="visually-hidden"
        type="file"
        accept={accept}
        multiple={multiple}
        {...(kind === 'folder' ? { webkitdirectory: '', directory: '' } : {})}
        aria-label={inputLabel}
        data-testid={testId}
        tabIndex={-1}
        onChange={(e) => changed(e.currentTarget)}
      />
    </>
  );
}
