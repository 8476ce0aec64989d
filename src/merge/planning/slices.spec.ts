/**
 * passthrough with `slices` (mergekit's layer stacking) against hand-built expectations on the
 * tiny pool (3 layers per model): which source tensor each output name is, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { memorySinkFolder, memorySource, openSafetensors } from '../../io';
import { createCpuBackend } from '../cpu/index';
import { executeMerge } from '../executor/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { recipeToObject } from '../recipe/serialize';
import { poolCheckpoints } from '../testing-pool';

const FRANKEN = `merge_method: passthrough
slices:
  - sources:
      - model: task1
        layer_range: [0, 2]
  - sources:
      - model: task2
        layer_range: [1, 3]
`;

async function stack(yaml: string) {
  const ckpts = await poolCheckpoints(2);
  const plan = await planMerge(parseRecipe(yaml, 'f.yml').recipe, ckpts);
  const folder = memorySinkFolder();
  await executeMerge(plan, createCpuBackend(), folder);
  const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'out'));
  return { ckpts, plan, file };
}

describe('passthrough with slices', () => {
  it('stacks layer ranges renumbered from 0; embeddings from the first source, final norm from the last', async () => {
    const { ckpts, file } = await stack(FRANKEN);
    // output name → [source model, source name]
    const want: Record<string, [string, string]> = {
      'model.embed.weight': ['task1', 'model.embed.weight'],
      position_ids: ['task1', 'position_ids'],
      'heads.task1.weight': ['task1', 'heads.task1.weight'],
      'model.norm.weight': ['task2', 'model.norm.weight'],
    };
    const layers: [number, string, number][] = [
      [0, 'task1', 0],
      [1, 'task1', 1],
      [2, 'task2', 1],
      [3, 'task2', 2],
    ];
    for (const [out, model, layer] of layers) {
      for (const part of ['attn.weight', 'norm.bias'])
        want[`model.layers.${out}.${part}`] = [model, `model.layers.${layer}.${part}`];
    }
    expect([...file.tensors.keys()].sort()).toEqual(Object.keys(want).sort());
    for (const [name, [model, from]] of Object.entries(want)) {
      const src = ckpts.get(model)!;
      expect(file.tensors.get(name)!.dtype, name).toBe(src.tensors.get(from)!.info.dtype);
      expect(
        Buffer.from(await file.readRaw(name)).equals(Buffer.from(await src.readRaw(from))),
        name,
      ).toBe(true);
    }
  });

  it('repeats a layer range (a self-frankenmerge) and writes slices back to YAML', async () => {
    const yaml = `merge_method: passthrough
slices:
  - sources: [{model: task1, layer_range: [0, 3]}]
  - sources: [{model: task1, layer_range: [1, 2]}]
`;
    const { ckpts, plan, file } = await stack(yaml);
    const names = [...file.tensors.keys()].filter((n) => n.includes('attn'));
    expect(names.sort()).toEqual([0, 1, 2, 3].map((l) => `model.layers.${l}.attn.weight`));
    const task1 = ckpts.get('task1')!;
    expect(Buffer.from(await file.readRaw('model.layers.3.attn.weight'))).toEqual(
      Buffer.from(await task1.readRaw('model.layers.1.attn.weight')),
    );
    expect(recipeToObject(plan.recipe)).toEqual({
      merge_method: 'passthrough',
      slices: [
        { sources: [{ model: 'task1', layer_range: [0, 3] }] },
        { sources: [{ model: 'task1', layer_range: [1, 2] }] },
      ],
    });
  });

  it('refuses what it cannot stack, in one line each', async () => {
    const ckpts = await poolCheckpoints(2);
    const plan = (yaml: string) => planMerge(parseRecipe(yaml, 'f.yml').recipe, ckpts);
    await expect(
      plan(
        'merge_method: passthrough\nslices:\n  - sources: [{model: task1, layer_range: [2, 5]}]\n',
      ),
    ).rejects.toThrow(/slices\[0\]: task1 has no layer 3 \(layer_range \[2,5\]; it has 3\)/);
    await expect(
      plan(
        'merge_method: passthrough\nslices:\n  - sources: [{model: task1, layer_range: [0, 1]}, {model: task2, layer_range: [0, 1]}]\n',
      ),
    ).rejects.toThrow(/slices\[0\]: passthrough takes exactly one source per slice, got 2/);
    await expect(
      plan('merge_method: linear\nslices:\n  - sources: [{model: task1, layer_range: [0, 1]}]\n'),
    ).rejects.toThrow(/only passthrough \(layer stacking\) takes slices here, not linear/);
    expect(() =>
      parseRecipe(
        'merge_method: passthrough\nslices:\n  - sources: [{model: task1, layer_range: [2, 1]}]\n',
      ),
    ).toThrow(/layer_range" must be \[first, end\)/);
    expect(() =>
      parseRecipe(
        'merge_method: passthrough\nmodels: [{model: task1}]\nslices:\n  - sources: [{model: task1, layer_range: [0, 1]}]\n',
      ),
    ).toThrow(/either "models" or "slices"/);
  });
});
