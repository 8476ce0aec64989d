/**
 * DARE's l1 rescale under `dtype: bfloat16` against torch (fixture mergekit_dare_bf16.safetensors):
 * scripts/reference/dare_bf16_masks.ts writes the pool and the studio's own keep-masks,
 * scripts/reference/dare_bf16_reference.py runs mergekit's dare_ties / dare_linear in torch bf16
 * with those masks in place of torch.bernoulli. The studio's recipes must give torch's bits,
 * whole and streamed in chunks.
 */
import { describe, expect, it } from 'vitest';
import { memorySinkFolder, memorySource, openSafetensors } from '../io';
import { bf16L1Factor, roundBf16 } from './cpu/bf16';
import { addL1Sums } from './cpu/sparsify';
import { createCpuBackend } from './cpu/index';
import { executeMerge } from './executor/index';
import { planMerge } from './plan';
import { parseRecipe } from './recipe/parse';
import { readFixture } from './testing-read-fixture';
import {
  DARE_METHODS,
  dareRecipeYaml,
  darePoolCheckpoints,
  studioDareMasks,
  type DareBf16Settings,
  type PoolTensor,
} from './testing-dare-bf16';
import { poolNames } from './testing-fixture-pool';

const fixture = readFixture('./mergekit_dare_bf16.safetensors');
const settings = JSON.parse(fixture.metadata.settings!) as DareBf16Settings;
const { names, tasks } = poolNames(fixture);
const pool: PoolTensor[] = names.map((name) => ({
  name,
  shape: fixture.get(`pool.base.${name}`).shape,
  values: ['base', ...Array.from({ length: tasks }, (_, t) => `model${t}`)].map((m) =>
    fixture.f32(`pool.${m}.${name}`),
  ),
}));

async function planned(method: string) {
  const ckpts = await darePoolCheckpoints(pool, settings);
  const plan = await planMerge(
    parseRecipe(dareRecipeYaml(method, settings), 'r.yml').recipe,
    ckpts,
  );
  // Computed in bf16 as mergekit does, not handed to the f32 path with a warning.
  expect(plan.warnings).toEqual([]);
  const dtypes = plan.steps.flatMap((s) => (s.kind === 'merge' ? [s.job.computeDtype] : []));
  expect(dtypes).toEqual(names.map(() => 'BF16'));
  return plan;
}

/** `chunkElements`: stream the tensors in chunks of that many elements (whole: undefined). */
async function merged(method: string, chunkElements?: number) {
  const plan = await planned(method);
  const folder = memorySinkFolder();
  await executeMerge(plan, createCpuBackend(), folder, { chunkElements });
  const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'o'));
  return new Map(await Promise.all(names.map(async (n) => [n, await file.readF32(n)] as const)));
}

describe("DARE's l1 rescale in bf16 gives torch's values (mask given to the reference)", () => {
  it('the fixture holds a BF16 tensor, rescaled and skipped rescales, and the masks the studio draws', async () => {
    expect(settings.bf16_tensors.filter((n) => names.includes(n)).length).toBeGreaterThan(0);
    // torch's factors: ≠ 1 on tensors it rescales, 1 where a sum < 1e-7 skips the rescale.
    const factors = names.map((name) => Array.from(fixture.f32(`l1.${name}`)));
    expect(factors.filter((f) => f.every((x) => x !== 1)).length).toBeGreaterThan(0);
    expect(factors.filter((f) => f.every((x) => x === 1)).length).toBeGreaterThan(0);
    for (const method of DARE_METHODS) {
      const masks = studioDareMasks(await planned(method));
      for (const name of names) {
        for (let t = 0; t < tasks; t++) {
          const want = Array.from(fixture.get(`mask.model${t}.${name}`).values);
          expect(Array.from(masks.get(name)![t]!), `${method} ${name} model ${t}`).toEqual(want);
        }
      }
    }
  });

  it("l1 sums of a long tensor don't drift as a running f32 sum does (torch's factor 1.0078125)", () => {
    // |δ|: one 2^24, then 2^17 ones (kept: every other one). Every +1 is lost in a running f32
    // sum at 2^24 (factor 1, no rescale); torch sums 2^24 + 2^17 and 2^24 + 2^16 → bf16 2^24.
    const n = 2 ** 17 + 1;
    const delta = new Float32Array(n).fill(1);
    delta[0] = 2 ** 24;
    const kept = delta.map((x, i) => (i % 2 === 1 ? 0 : x));
    const sums = { before: 0, after: 0 };
    addL1Sums(delta.subarray(0, 1000), kept.subarray(0, 1000), sums);
    addL1Sums(delta.subarray(1000), kept.subarray(1000), sums);
    const exact = roundBf16(roundBf16(2 ** 24 + 2 ** 17) / roundBf16(2 ** 24 + 2 ** 16));
    expect(exact).not.toBe(1);
    expect(bf16L1Factor(sums)).toBe(exact);
  });

  for (const method of DARE_METHODS) {
    // The fixture's tensors (48, 63, 37, 16 elements) whole and in chunks of 5 and 13.
    for (const chunk of [undefined, 5, 13]) {
      it(`${method}, dtype bfloat16${chunk ? `, chunks of ${chunk}` : ''}: torch's bits`, async () => {
        const out = await merged(method, chunk);
        const off = names.map((name) => {
          const want = fixture.f32(`bf16.${method}.${name}`);
          const got = out.get(name)!;
          return [name, want.filter((w, i) => got[i] !== w).length] as const;
        });
        expect(Object.fromEntries(off), `${method}: elements off torch's`).toEqual(
          Object.fromEntries(names.map((name) => [name, 0])),
        );
      });
    }
  }
});
