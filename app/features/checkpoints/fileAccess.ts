/**
 * The File System Access API, detected once. Chromium has pickers and drop handles; Firefox
 * and Safari get `<input type=file>` / `webkitdirectory` and `webkitGetAsEntry` instead.
 * The API is not in TypeScript's DOM library yet, hence the small typed views below.
 */

interface OpenFilePickerOptions {
  multiple?: boolean;
  types?: { description: string; accept: Record<string, string[]> }[];
  excludeAcceptAllOption?: boolean;
}

interface PickerWindow {
  showOpenFilePicker?(options: OpenFilePickerOptions): Promise<FileSystemFileHandle[]>;
  showDirectoryPicker?(options?: { mode?: 'read' }): Promise<FileSystemDirectoryHandle>;
  showSaveFilePicker?(options: {
    suggestedName?: string;
    types?: OpenFilePickerOptions['types'];
  }): Promise<FileSystemFileHandle>;
}

const pickers = window as unknown as PickerWindow;

export const fileAccess = Object.freeze({
  openFilePicker: typeof pickers.showOpenFilePicker === 'function',
  directoryPicker: typeof pickers.showDirectoryPicker === 'function',
  savePicker: typeof pickers.showSaveFilePicker === 'function',
});

const CHECKPOINT_TYPES = [
  {
    description: 'Safetensors checkpoints and their index / config',
    accept: { 'application/octet-stream': ['.safetensors'], 'application/json': ['.json'] },
  },
];

/** Resolves to [] when the user closes the picker (AbortError) — that is not an error. */
export async function pickFiles(): Promise<FileSystemFileHandle[]> {
  try {
    return (await pickers.showOpenFilePicker?.({ multiple: true, types: CHECKPOINT_TYPES })) ?? [];
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return [];
    throw error;
  }
}

export async function pickFolder(): Promise<FileSystemDirectoryHandle | null> {
  try {
    return (await pickers.showDirectoryPicker?.({ mode: 'read' })) ?? null;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return null;
    throw error;
  }
}

/** Must be called from a click (user activation); null when the user cancels. */
export async function pickSaveFile(suggestedName: string): Promise<FileSystemFileHandle | null> {
  try {
    return (
      (await pickers.showSaveFilePicker?.({
        suggestedName,
        types: [
          {
            description: 'Safetensors checkpoint',
            accept: { 'application/octet-stream': ['.safetensors'] },
          },
        ],
      })) ?? null
    );
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return null;
    throw error;
  }
}
