import type { Locator } from '@playwright/test';

export interface FileSpec {
  name: string;
  bytes: Uint8Array;
}

/**
 * Drops files onto an element the way a user's drag does, as far as a page can fake it: a
 * DataTransfer filled with `new File(...)`s, dispatched as dragenter → dragover → drop.
 * Synthetic items have no file-system handle or entry, so this exercises the getAsFile path.
 */
export async function dropFiles(target: Locator, files: FileSpec[]): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name,
    base64: Buffer.from(f.bytes).toString('base64'),
  }));
  const dataTransfer = await target.page().evaluateHandle((specs) => {
    const dt = new DataTransfer();
    for (const spec of specs) {
      const bytes = Uint8Array.from(atob(spec.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], spec.name, { type: 'application/octet-stream' }));
    }
    return dt;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await target.dispatchEvent(type, { dataTransfer });
  }
  await dataTransfer.dispose();
}
