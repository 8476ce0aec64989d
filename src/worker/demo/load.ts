/** The loadDemo handler: the zoo's checkpoints enter the registry like dropped files. */
import { openSingleCheckpoint } from '../../io';
import { summarize } from '../checkpoints/open';
import type { CheckpointRegistry } from '../checkpoints/registry';
import { toWireError } from '../errors';
import type { Methods } from '../protocol';
import type { HandlerContext } from '../serve';
import { fetchZooCheckpoints, readManifest } from './zoo';

export async function loadDemo(
  registry: CheckpointRegistry,
  { signal, emit }: HandlerContext<'loadDemo'>,
): Promise<Methods['loadDemo']['result']> {
  const manifest = await readManifest();
  const files = await fetchZooCheckpoints(manifest, signal);
  const ids: string[] = [];
  for (const [i, { name, source }] of files.entries()) {
    const id = registry.nextId();
    const unique = registry.uniqueName(name);
    emit({ type: 'checkpointPending', id, name: unique });
    try {
      const checkpoint = await openSingleCheckpoint(source, unique);
      const summary = summarize(id, unique, checkpoint, false);
      registry.add({ summary, checkpoint });
      emit({ type: 'checkpointLoaded', summary });
      ids.push(id);
    } catch (error) {
      emit({ type: 'checkpointFailed', id, name: unique, error: toWireError(error) });
    }
    emit({
      type: 'progress',
      progress: { status: 'progress', task: 'demo', done: i + 1, total: files.length },
    });
  }
  return { ids, baseId: ids[0] ?? null, headPrefix: manifest.headPrefix };
}
