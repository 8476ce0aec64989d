/**
 * The adamerge handler: runs src/adapt's AdaMerging on the demo zoo inside the worker (on the
 * CLIP panel's checkpoints when the page's base is its base: the CLIP run), streams
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
import type { AdaMergingOptions } from '../../adapt';
import type { EventOf, Methods } from '../protocol';
import { clipAdamerge } from '../clip/adamerge';
import { isClipCheckpoint } from '../clip/suite';
import { Transfer, type HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { scoreOnSuite } from '../eval/evaluate';
import { zooSuite } from '../eval/suite';
import { browserGpu } from '../../gpu/browser-gpu';

type Result = Methods['adamerge']['result'];

/**
 * The main panel's AdaMerging on the CLIP panel's checkpoints: the CLIP run (its footprint
 * check, fused or tfjs step, export through the engine), answered in this method's shape.
 */
async function onClip(
  session: StudioSession,
  options: AdaMergingOptions,
  { signal, emit }: HandlerContext<'adamerge'>,
): Promise<Transfer<Result>> {
  const context = {
    signal,
    emit: (event: EventOf<'clipAdamerge'>) => {
      if (event.type !== 'footprint') emit(event);
    },
  };
  const { value, transfer } = await clipAdamerge(session, { options }, context);
  const { result, row, export: file } = value;
  const tasks = Object.keys(row.accuracy).map((name) => ({ name, title: name }));
  const { fileName, bytes, recipeYaml } = file;
  return new Transfer(
    { result, accuracy: row.accuracy, tasks, export: { fileName, bytes, recipeYaml } },
    transfer,
  );
}

export async function adamerge(
  session: StudioSession,
  { options, base }: Methods['adamerge']['params'],
  context: HandlerContext<'adamerge'>,
): Promise<Transfer<Result>> {
  if (base && isClipCheckpoint(session, base)) return onClip(session, options, context);
  const { signal, emit } = context;
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
