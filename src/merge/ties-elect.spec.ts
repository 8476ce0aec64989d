/**
 * TIES `elect: unweighted` (AdaMerging++'s election, weights applied after) through the whole
 * engine — plan, majority-sign pre-pass, merge — against the reference formula θ₀ + Σₖ wₖ·
 * selectedₖ with selectedₖ from tiesSelectedTaskVectors, computed here in doubles; and the
 * default (weighted) election gives a different merge on the same recipe, so the option is
 * what makes the two agree.
 */
import { describe, expect, it } from 'vitest';
import type { Params } from '../core';
import { mergeParams } from './params';
import { parseRecipe } from './recipe/parse';
import { tiesSelectedTaskVectors } from './ties-selection';
import { taskVectors } from './params';

/** Seeded uniform values in (−½, ½) (mulberry32): both signs, no exact ties. */
function tensor(seed: number, n: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

const SHAPES: Record<string, number[]> = {
  'a.weight': [16, 12],
  'a.bias': [16],
  'b.weight': [12, 20],
};

function model(seed: number): Params {
  return new Map(
    Object.entries(SHAPES).map(([name, shape], t) => [
      name,
      {
        shape,
        data: tensor(
          seed * 10 + t,
          shape.reduce((x, y) => x * y, 1),
        ),
      },
    ]),
  );
}

// One heavy model and two light ones: where the light two outvote it by mass, the elections differ.
const WEIGHTS = [1, 0.05, 0.05];

function recipe(elect: string, disjoint = 'sum'): string {
  return `merge_method: ties
base_model: base
parameters: { lambda: 1, trim_scope: model, zero_sign: majority, disjoint: ${disjoint}, elect: ${elect} }
models:
${WEIGHTS.map((w, k) => `  - model: m${k}\n    parameters: { weight: ${w}, density: 0.4 }`).join('\n')}
dtype: float32
`;
}

const base = model(1);
const tuned = WEIGHTS.map((_, k) => model(k + 2));
const inputs = new Map<string, Params>([
  ['base', base],
  ...tuned.map((m, k) => [`m${k}`, m] as const),
]);

describe('TIES elect: unweighted', () => {
  it('equals θ₀ + Σₖ wₖ·(AdaMerging++ selection of τₖ)', async () => {
    const selected = tiesSelectedTaskVectors(
      tuned.map((m, k) => taskVectors(base, m, () => true, `m${k}`)),
      0.4,
    );
    const merged = await mergeParams(parseRecipe(recipe('unweighted')).recipe, inputs);
    let kept = 0;
    for (const name of Object.keys(SHAPES)) {
      const got = merged.get(name)!.data;
      base.get(name)!.data.forEach((b, i) => {
        let want = b;
        selected.forEach((s, k) => (want += WEIGHTS[k]! * s.get(name)!.data[i]!));
        expect(Math.abs(got[i]! - want)).toBeLessThan(1e-6);
        if (want !== b) kept++;
      });
    }
    expect(kept).toBeGreaterThan(10); // the selection kept something: the check is not empty
  });

  it('differs from the default weighted election on the same weights', async () => {
    const unweighted = await mergeParams(parseRecipe(recipe('unweighted')).recipe, inputs);
    const weighted = await mergeParams(parseRecipe(recipe('weighted')).recipe, inputs);
    let differ = 0;
    for (const name of Object.keys(SHAPES)) {
      const a = unweighted.get(name)!.data;
      weighted.get(name)!.data.forEach((w, i) => (differ += Math.abs(w - a[i]!) > 1e-6 ? 1 : 0));
    }
    expect(differ).toBeGreaterThan(0);
  });

  it('is refused with disjoint: mean (the divisor would count the weighted election)', async () => {
    await expect(
      mergeParams(parseRecipe(recipe('unweighted', 'mean')).recipe, inputs),
    ).rejects.toThrow(/elect: unweighted sums the agreeing entries; set disjoint: sum/);
  });
});
