/**
 * pcb_scope: model (the official PCB_merge on the whole flattened model) against
 * scripts/reference/pcb_emr_reference.py's `pcb_model.*` (three tensors, exact zeros among
 * the task vectors), through the executor's four pre-reads; and the streamed order
 * statistics it rests on against a sort.
 */
import { describe, expect, it } from 'vitest';
import { memorySinkFolder, memorySource, openSafetensors } from '../../io';
import { executeMerge } from '../executor/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { fixtureCheckpoints, poolNames } from '../testing-fixture-pool';
import { readFixture, relativeError } from '../testing-read-fixture';
import { createCpuBackend } from './index';
import { StreamRanks } from './pcb-model';

const fixture = readFixture('./pcb_emr.safetensors');
const settings = JSON.parse(fixture.metadata.pcb!) as {
  pcb_ratio: number;
  clamp_ratio: number;
  weights: number[];
};
const { names } = poolNames(fixture);

const recipe = (scope: string, extra = '') =>
  `merge_method: pcb\nbase_model: base\nparameters: {pcb_ratio: ${settings.pcb_ratio}, clamp_ratio: ${settings.clamp_ratio}, pcb_scope: ${scope}}\nmodels:\n${settings.weights.map((w, t) => `  - {model: task${t + 1}, parameters: {weight: ${w}}}\n`).join('')}${extra}`;

async function merge(yaml: string) {
  const plan = await planMerge(
    parseRecipe(yaml, 'r.yml').recipe,
    await fixtureCheckpoints(fixture),
  );
  const folder = memorySinkFolder();
  const seen: number[] = [];
  await executeMerge(plan, createCpuBackend(), folder, {
    onProgress: (p) => p.status === 'progress' && seen.push(p.total),
  });
  const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'o'));
  const read = async (name: string) => new Float32Array((await file.readRaw(name)).slice().buffer);
  return { read, total: seen[0] };
}

describe('pcb_scope: model', () => {
  it('equals the official PCB_merge over the flattened model (and differs from per tensor)', async () => {
    const { read, total } = await merge(recipe('model'));
    for (const name of names) {
      const got = await read(name);
      expect(relativeError(got, fixture.f32(`pcb_model.${name}`))).toBeLessThan(1e-5);
      expect(relativeError(got, fixture.f32(`pcb.${name}`))).toBeGreaterThan(1e-3);
    }
    // four reads of the three tensors before the merge's own
    expect(total).toBe(4 * names.length + names.length);
  });

  it('pcb_scope: tensor stays the per-tensor form', async () => {
    const { read } = await merge(recipe('tensor'));
    for (const name of names)
      expect(relativeError(await read(name), fixture.f32(`pcb.${name}`))).toBeLessThan(1e-5);
  });

  it('refuses a pcb_ratio that differs between tensors, naming the tensor', async () => {
    const yaml = recipe('model').replace(
      /parameters: \{pcb_ratio: [^,]+,/,
      'parameters: {pcb_ratio: [{filter: w2, value: 0.5}, {value: 0.2}],',
    );
    await expect(merge(yaml)).rejects.toThrow(
      /pcb_scope: model takes one pcb_ratio and clamp_ratio for the whole model/,
    );
  });
});

describe('StreamRanks', () => {
  it('finds exact ranks over two reads of chunks, repeats and signs included', () => {
    const rng = (i: number) => Math.sin(i * 12.9898) * 43758.5453;
    const chunks = [0, 1, 2].map((c) =>
      Float64Array.from({ length: 500 }, (_, i) => {
        const v = rng(c * 500 + i) % 1;
        return i % 7 === 0 ? 0 : i % 11 === 0 ? -0.25 : v * 10 ** ((i % 5) - 2);
      }),
    );
    const sorted = Float64Array.from(chunks.flatMap((c) => Array.from(c))).sort();
    const ranks = [0, 1, 100, 214, 215, 749, 1000, 1499];
    const s = new StreamRanks(ranks);
    for (const c of chunks) s.add(c);
    s.closeCounting();
    for (const c of chunks) s.add(c);
    expect(s.values()).toEqual(ranks.map((r) => sorted[r]));
  });
});
