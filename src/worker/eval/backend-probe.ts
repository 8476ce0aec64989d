/**
 * Which tfjs backend evaluation (Results, Live, the sweep, AdaMerging's evaluations) runs on,
 * chosen by measurement: a small timed forward pass of the demo's ViT shape on each candidate.
 * On a software adapter (lavapipe) tfjs's WebGPU kernels are many times slower than wasm; on a
 * real GPU the reverse can hold, so no fixed rule is right everywhere. The page remembers the
 * answer per adapter (localStorage; workers have none) and hands it back on the next visit, so
 * the probe runs once per adapter.
 */
import * as tf from '@tensorflow/tfjs';
import { encodePatches } from '../../eval';
import {
  DEFAULT_VIT_CONFIG,
  initEncoder,
  numPatches,
  toTensors,
  type VitConfig,
} from '../../models';

/** Images per timed pass: enough that a pass is dominated by the matrix products. */
const PROBE_IMAGES = 64;
/** Timed passes after the warm-up (which compiles WebGPU pipelines); the fastest counts. */
const PROBE_REPEATS = 2;

/**
 * Milliseconds of one forward pass of `images` images through a ViT of `config` on the active
 * backend, after one warm-up pass (fastest of a few; prediction read back, as scoring does).
 */
export async function timeForwardPass(
  config: VitConfig = DEFAULT_VIT_CONFIG,
  images = PROBE_IMAGES,
  repeats = PROBE_REPEATS,
): Promise<number> {
  const encoder = toTensors(initEncoder(config, 1));
  const patchLen = config.patchSize ** 2;
  const rows = images * numPatches(config);
  const patches = tf.tidy(() => tf.randomUniform([rows, patchLen]) as tf.Tensor2D);
  const pass = async () => {
    const t0 = performance.now();
    const predicted = tf.tidy(() => tf.argMax(encodePatches(encoder, patches, config), 1));
    await predicted.data();
    predicted.dispose();
    return performance.now() - t0;
  };
  try {
    await pass();
    let best = Infinity;
    for (let i = 0; i < repeats; i++) best = Math.min(best, await pass());
    return best;
  } finally {
    patches.dispose();
    for (const t of encoder.values()) t.dispose();
  }
}

/** The fastest of the measured backends (the first listed on a tie or when none was timed). */
export function fastest<D extends string>(times: Partial<Record<D, number>>, order: D[]): D {
  let best = order[0]!;
  for (const device of order) {
    if ((times[device] ?? Infinity) < (times[best] ?? Infinity)) best = device;
  }
  return best;
}
