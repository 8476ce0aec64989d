/**
 * The adamerge handler: runs src/adapt's AdaMerging on the demo zoo inside the worker, streams
 * its step/eval events, scores the merged encoder at the end and hands back the merged
 * checkpoint and its recipe for export. One run at a time; pause and
 * resume go through a PauseToken, cancel through the request's signal.
 *
 * The step runs on the fused WebGPU engine whenever the worker has a WebGPU device, also when
 * tfjs (evaluation events, the final table, export) runs on wasm (`?tf=wasm`): the engine uses
 * only the device, and on a software adapter it is ~4× faster than wasm per step while
 * tfjs-webgpu's own kernels are slower than wasm there.
 */
import { adamergingRecipe, mergedCheckpoint, PauseToken, runAdaMerging } from '../../adapt';
import { recipeToYaml } from '../../merge';
import type { Methods } from '../protocol';
import { Transfer, type HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { scoreOnSuite } from '../eval/evaluate';
import { zooSuite } from '../eval/suite';
import { browserGpu } from '../../gpu/browser-gpu';

export async function adamerge(
  session: StudioSession,
  { options }: Methods['adamerge']['params'],
  { signal, emit }: HandlerContext<'adamerge'>,
): Promise<Transfer<Methods['adamerge']['result']>> {
  if (session.adamergingPause) {
    throw Object.assign(new Error('AdaMerging is already running.'), { code: 'busy' });
  }
  await session.tfDevice();
  const gpu = session.gpuPreference === 'auto' ? await browserGpu() : null;
  const zoo = await session.theZoo();
  const pause = new PauseToken();
  session.adamergingPause = pause;
  try {
    const { result, merged } = await runAdaMerging(
      zoo,
      options,
      {
        signal,
        pauseToken: pause,
        onStep: (step) => emit({ type: 'step', step }),
        onEval: (evaluation) => emit({ type: 'eval', eval: evaluation }),
      },
      gpu?.device ?? null,
    );
    const label = `AdaMerging ${options.mode}-wise${options.plus ? '++' : ''}`;
    // The final score takes as long as many steps: its progress events name that phase.
    const row = await scoreOnSuite(label, merged, zooSuite(session, zoo), {
      signal,
      emit: (progress) => emit({ type: 'progress', progress }),
    });
    // The learned merge as a file like any other merge's: exportable, re-loadable.
    const bytes = await mergedCheckpoint(result, merged, zoo);
    const fileName = `adamerging-${options.mode}-wise${options.plus ? '-plus' : ''}.safetensors`;
    const recipeYaml = recipeToYaml(adamergingRecipe(result, zoo));
    return new Transfer(
      {
        result,
        accuracy: row.perTask,
        tasks: zoo.manifest.tasks.map((t) => ({ name: t.name, title: t.title })),
        export: { fileName, bytes, recipeYaml },
      },
      [bytes.buffer as ArrayBuffer],
    );
  } finally {
    session.adamergingPause = null;
  }
}

export async function setPaused(
  session: StudioSession,
  { paused }: Methods['adamergePause']['params'],
) {
  const pause = session.adamergingPause;
  if (paused) pause?.pause();
  else pause?.resume();
  return { paused: pause?.paused ?? false };
}
