/**
 * Merge commands. One merge runs at a time; its AbortController lives here so Cancel can
 * reach it. Progress events go straight into the run slice.
 */
import type { MergeTarget } from '../../../src/worker/protocol';
import { isCancelled, StudioError } from '../../../src/worker/errors';
import { studio } from '../../services/studio';
import { useStudio } from '../../store';
import { buildRecipe } from '../method/buildRecipe';

let running: AbortController | null = null;

/** The transferred buffer becomes the Blob's contents; no second copy is made. */
const blobUrl = (bytes: Uint8Array) =>
  URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );

/** Runs one merge; resolves true when it finished (false: refused, cancelled or failed). */
export async function startMerge(target: MergeTarget): Promise<boolean> {
  const state = useStudio.getState();
  const recipe = buildRecipe(state);
  if (!recipe || running) return false;
  running = new AbortController();
  state.runStarted();
  try {
    const { bytes, modulators, ...outcome } = await studio().call(
      'merge',
      { recipe, target },
      { signal: running.signal, onEvent: (e) => useStudio.getState().runProgressed(e.progress) },
    );
    const downloadUrl = bytes ? blobUrl(bytes) : null;
    useStudio.getState().setLastMerge({
      outcome,
      downloadUrl,
      modulators: modulators
        ? {
            fileName: modulators.fileName,
            url: blobUrl(modulators.bytes),
            rescalers: modulators.rescalers,
          }
        : null,
      recipe,
      finishedAt: performance.now(),
    });
    useStudio.getState().runFinished('done');
    return true;
  } catch (error) {
    const wire =
      error instanceof StudioError ? error.toWire() : { code: 'internal', message: String(error) };
    if (isCancelled(error)) useStudio.getState().runFinished('cancelled');
    else useStudio.getState().runFinished('failed', wire);
    return false;
  } finally {
    running = null;
  }
}

export function cancelMerge(): void {
  running?.abort();
}
