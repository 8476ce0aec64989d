/**
 * Step 1 of the bf16 DARE check against torch: writes the inputs of
 * src/merge/methods/fixtures/mergekit_dare_bf16.safetensors — a base and 3 fine-tunes (two F32
 * tensors whose values bf16 must round, one BF16 tensor) and the studio's own DARE keep-masks
 * for them, drawn by the studio's planned merge (seed, per-model densities). torch's bernoulli
 * draw cannot reproduce the studio's counter-based stream, so the reference takes these masks
 * as its input (step 2 adds torch's outputs):
 *
 *   npx tsx scripts/reference/dare_bf16_masks.ts
 *   /usr/bin/python3 scripts/reference/dare_bf16_reference.py
 */
import { writeFileSync } from 'node:fs';
import { makeValidSafetensors } from '../../src/io/testing/safetensors-builder';
import { roundBf16 } from '../../src/merge/cpu/bf16';
import { planMerge } from '../../src/merge/plan';
import { elementUniform, mix32 } from '../../src/merge/random';
import { parseRecipe } from '../../src/merge/recipe/parse';
import {
  DARE_METHODS,
  dareRecipeYaml,
  darePoolCheckpoints,
  studioDareMasks,
  type DareBf16Settings,
  type PoolTensor,
} from '../../src/merge/testing-dare-bf16';

const OUT = new URL(
  '../../src/merge/methods/fixtures/mergekit_dare_bf16.safetensors',
  import.meta.url,
);
const SETTINGS: DareBf16Settings = {
  weights: [1, 0.3, 0.7],
  densities: [0.5, 0.4, 0.6],
  seed: 19,
  bf16_tensors: ['h'],
};

/** Normal draws (Box–Muller) from a fixed stream: the pool's values, not a mask. */
function normals(stream: number, count: number, sigma: number): Float32Array {
  const key = mix32(stream + 0x9e3779b9);
  return Float32Array.from({ length: count }, (_, i) => {
    const u = elementUniform(key, 2 * i) + 2 ** -25;
    const v = elementUniform(key, 2 * i + 1);
    return sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  });
}

/** Base ~ N(0, scale²), fine-tunes base + N(0, (scale·step)²); `bf16`: values rounded to bf16. */
function poolTensor(
  name: string,
  shape: number[],
  stream: number,
  bf16: boolean,
  scale = 1,
  step = 0.05,
): PoolTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const round = (a: Float32Array) => (bf16 ? a.map(roundBf16) : a);
  const base = round(normals(stream, n, scale));
  const tunes = SETTINGS.weights.map((_, t) => {
    const step_ = normals(stream + 100 * (t + 1), n, scale * step);
    return round(base.map((x, i) => x + step_[i]!));
  });
  return { name, shape, values: [base, ...tunes] };
}

async function main() {
  const pool = [
    poolTensor('u', [7, 9], 1, false),
    poolTensor('v', [37], 2, false),
    poolTensor('h', [6, 8], 3, true),
    // Deltas of a few 1e-9: Σ|δ| or Σ|kept| below mergekit's 1e-7, where it skips the rescale.
    poolTensor('z', [16], 4, false, 1e-6, 0.005),
  ];
  const ckpts = await darePoolCheckpoints(pool, SETTINGS);
  const [ties, linear] = await Promise.all(
    DARE_METHODS.map(async (method) =>
      studioDareMasks(
        await planMerge(parseRecipe(dareRecipeYaml(method, SETTINGS), 'r.yml').recipe, ckpts),
      ),
    ),
  );
  const tensors = pool.flatMap((t) => {
    const masks = ties!.get(t.name)!;
    const same = masks.every((mask, m) => mask.every((k, i) => k === linear!.get(t.name)![m]![i]));
    if (!same) throw new Error(`${t.name}: dare_ties and dare_linear draw different masks`);
    return [
      ...t.values.map((values, m) => ({
        name: `pool.${m === 0 ? 'base' : `model${m - 1}`}.${t.name}`,
        dtype: 'F32' as const,
        shape: t.shape,
        values,
      })),
      ...masks.map((mask, m) => ({
        name: `mask.model${m}.${t.name}`,
        dtype: 'U8' as const,
        shape: t.shape,
        values: mask,
      })),
    ];
  });
  writeFileSync(OUT, makeValidSafetensors(tensors, { settings: JSON.stringify(SETTINGS) }));
  console.log(`wrote ${OUT.pathname}: ${tensors.length} tensors`);
}

void main();
