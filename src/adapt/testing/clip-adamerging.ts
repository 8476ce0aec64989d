/**
 * A tiny CLIP AdaMerging problem for specs: a generated pool (TINY_CLIP, seeded fine-tunes
 * moved far enough that λ matters), one unit-row zero-shot head per task and a seeded pool of
 * unlabelled normalised images per task.
 */
import { Rng } from '../../data';
import { generateClipPool, TINY_CLIP } from '../../eval/testing/clip-pool';
import type { ClipActivation } from '../../models';
import { clipHostProblem } from '../clip/problem';
import type { ImagePool } from '../clip/session';

export function tinyClipAdaMerging(
  tasks: readonly string[],
  options: { classes?: readonly number[]; act?: ClipActivation; plus?: boolean } = {},
) {
  const pool = generateClipPool(TINY_CLIP, tasks, {
    seed: 3,
    scale: 8,
    eosTokenId: 2,
    bosTokenId: 1,
  });
  const vision = { ...pool.config.vision, hiddenAct: options.act ?? pool.config.vision.hiddenAct };
  const rng = new Rng(5, 'heads');
  const dim = TINY_CLIP.projectionDim;
  const heads = tasks.map((_, k) => {
    const classes = options.classes?.[k] ?? 4;
    const w = Float32Array.from({ length: classes * dim }, () => rng.normal());
    for (let c = 0; c < classes; c++) {
      const row = w.subarray(c * dim, (c + 1) * dim);
      const n = Math.hypot(...row);
      row.forEach((v, j) => (row[j] = v / n));
    }
    return { weight: w, classes, dim };
  });
  const host = clipHostProblem({
    config: { ...pool.config, vision },
    base: pool.base,
    finetunes: tasks.map((task) => ({ task, vision: pool.finetunes.get(task)! })),
    projection: pool.base.get('visual_projection.weight')!,
    logitScale: 2.6592,
    heads,
    plus: options.plus ?? false,
    density: 0.2,
  });
  const side = TINY_CLIP.vision.image_size;
  const pools: ImagePool[] = tasks.map((t) => {
    const r = new Rng(9, t);
    const count = 12;
    return {
      pixels: Float32Array.from({ length: count * side * side * 3 }, () => r.normal()),
      count,
      side,
    };
  });
  return { pool, host, pools };
}
