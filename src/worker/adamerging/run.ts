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
import { adamergingRecipe, mergedCheckpoint } from '../../adapt/adamerging/export';
import { PauseToken } from '../../adapt/adamerging/pause';
import { recipeToYaml } from '../../merge/recipe/serialize';
import { runAdaMerging } from '../../adapt/adamerging/run';
import type { Methods } from '../protocol';
import { Transfer, type HandlerContext } from '../serve';
import { scoreTaskByTask, tfDevice, theZoo } from '../eval/evaluate';
import { gpuPreference } from '../merge/backend';
import { browserGpu } from '../../gpu/browser-gpu';

let pause: PauseToken | null = null;

export async function adamerge(
  { options }: Methods['adamerge']['params'],
  { signal, emit }: HandlerContext<'adamerge'>,
): Promise<Transfer<Methods['adamerge']['result']>> {
  if (pause) {
    throw Object.assign(new Error('AdaMerging is already running.'), { code: 'busy' });
  }
  await tfDevice();
  const gpu = gpuPreference() === 'auto' ? await browserGpu() : null;
  const zoo = await theZoo();
  pause = new PauseToken();
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
    const row = await scoreTaskByTask(label, merged, zoo, {
      signal,
      emit: (progress) => emit({ type: 'progress', progress }),
    });
    // The learned merge as a file like any other merge's: exportable, re-loadable.
    const bytes = mergedCheckpoint(result, merged, zoo);
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
    pause = null;
  }
}

export async function setPaused({ paused }: Methods['adamergePause']['params']) {
  if (paused) pause?.pause();
  else pause?.resume();
  return { paused: pause?.paused ?? false };
}
