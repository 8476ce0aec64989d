import { describe, expect, it } from 'vitest';
import { memorySink, memorySinkFolder } from '../../io';
import { memorySource } from '../../io';
import { openSafetensors } from '../../io';
import type { TensorMethodJob } from '../backend';
import { EMR_MASK_SUFFIX, EMR_RESCALERS, emrTaskTensor } from '../executor/modulators';
import { executeMerge } from '../executor/index';
import { fixtureCheckpoints, fixtureJob, poolNames } from '../testing-fixture-pool';
import { readFixture, relativeError } from '../testing-read-fixture';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { f32Raw } from '../testing';
import { mergeTensorCpu } from './index';
import { createCpuBackend } from './index';
import { pcbRanks } from './pcb';

const fixture = readFixture('./pcb_emr.safetensors');
const settings = JSON.parse(fixture.metadata.pcb!) as {
  pcb_ratio: number;
  clamp_ratio: number;
  weights: number[];
};
const { names, tasks } = poolNames(fixture);

function pcbJob(name: string): TensorMethodJob {
  const job = fixtureJob(fixture, 'pcb', name, {
    pcb_ratio: settings.pcb_ratio,
    clamp_ratio: settings.clamp_ratio,
  });
  return { ...job, perModel: settings.weights.map((weight) => ({ weight })) };
}

const unpack = (packed: Uint8Array, t: number, n: number) => {
  const stride = Math.ceil(n / 8);
  return Array.from({ length: n }, (_, i) => (packed[t * stride + (i >> 3)]! >> (i & 7)) & 1);
};

describe('pcb matches the reference implementation of the official PCB_merge (fixture)', () => {
  for (const name of names) {
    it(name, () => {
      const got = mergeTensorCpu(pcbJob(name)).merged;
      expect(relativeError(got, fixture.f32(`pcb.${name}`))).toBeLessThan(1e-5);
    });
  }
  it('quantile ranks follow the official index rules', () => {
    // d = 5, q = 0.2: |τ| lo = sorted[int(1)], hi = sorted[int(5·0.8 − 1)] = sorted[3];
    // pcb_ratio 0.2: score lo = sorted[int(5·0.8)] = sorted[4], hi = the max.
    expect(pcbRanks(5, 0.2, 0.2)).toEqual([1, 3, 4, 4]);
    // q = 0 keeps the extremes; the official int(d·(1 − 0) − 1) is the last element.
    expect(pcbRanks(10, 0, 1)).toEqual([0, 9, 0, 9]);
  });
});

describe('emr matches the reference implementation of the official emr_merge (fixture)', () => {
  for (const name of names) {
    it(`${name}: unified model and masks`, () => {
      const job = fixtureJob(fixture, 'emr', name, {});
      const result = mergeTensorCpu(job);
      expect(relativeError(result.merged, fixture.f32(`emr.${name}`))).toBeLessThan(1e-6);
      const want = fixture.get(`emr_masks.${name}`);
      const n = job.numel;
      for (let t = 0; t < tasks; t++) {
        expect(unpack(result.emr!.masks, t, n)).toEqual(
          Array.from(want.values.subarray(t * n, (t + 1) * n)),
        );
      }
    });
  }

  it('a hand-checkable tensor: elected sign, max agreeing magnitude, masks', () => {
    const job: TensorMethodJob = {
      kind: 'tensor_method',
      method: 'emr',
      tensorName: 'w',
      shape: [3],
      numel: 3,
      hasBase: true,
      base: f32Raw([0, 0, 0]),
      models: [f32Raw([1, -2, 0]), f32Raw([3, 1, 0])],
      global: {},
      perModel: [{}, {}],
    };
    // Σ = [4, −1, 0] → signs [+, −, −] (0 elects −); task 1 agrees at 0, 1; task 2 at 0.
    const { merged, emr } = mergeTensorCpu(job);
    expect(Array.from(merged)).toEqual([3, -2, 0]);
    expect([unpack(emr!.masks, 0, 3), unpack(emr!.masks, 1, 3)]).toEqual([
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(emr!.taskMeans).toEqual([1, 4 / 3]);
    expect(emr!.maskedMeans).toEqual([5 / 3, 1]);
  });

  it('the executor writes the unified model and a modulators file whose rescalers match', async () => {
    const ckpts = await fixtureCheckpoints(fixture);
    const yaml = `merge_method: emr\nbase_model: base\nmodels:\n${Array.from({ length: tasks }, (_, t) => `  - model: task${t + 1}\n`).join('')}`;
    const plan = await planMerge(parseRecipe(yaml, 'r.yml').recipe, ckpts);
    const folder = memorySinkFolder();
    const sink = memorySink('emr_modulators.safetensors');
    const summary = await executeMerge(plan, createCpuBackend(), folder, {
      modulatorOutput: sink,
    });
    const want = fixture.get('emr.rescalers').values as Float64Array;
    expect(relativeError(summary.emrRescalers!, want)).toBeLessThan(1e-6);
    const file = await openSafetensors(memorySource(sink.bytes(), 'm'));
    const rescalers = new Float32Array((await file.readRaw(EMR_RESCALERS)).slice().buffer);
    expect(relativeError(rescalers, want)).toBeLessThan(1e-6);
    const masks = await file.readRaw(`w1${EMR_MASK_SUFFIX}`);
    const n = fixture.get('pool.base.w1').values.length;
    expect(unpack(masks, 1, n)).toEqual(
      Array.from(fixture.get('emr_masks.w1').values.subarray(n, 2 * n)),
    );
    const merged = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'o'));
    const w1 = new Float32Array((await merged.readRaw('w1')).slice().buffer);
    expect(relativeError(w1, fixture.f32('emr.w1'))).toBeLessThan(1e-6);
    // Each task rebuilt from the two files as the official evaluation does.
    for (const name of names) {
      const mergedValues = new Float32Array((await merged.readRaw(name)).slice().buffer);
      const packed = await file.readRaw(`${name}${EMR_MASK_SUFFIX}`);
      for (let t = 0; t < tasks; t++) {
        const rebuilt = emrTaskTensor(
          fixture.f32(`pool.base.${name}`),
          mergedValues,
          packed,
          t,
          rescalers[t]!,
        );
        expect(relativeError(rebuilt, fixture.f32(`emr_task${t}.${name}`))).toBeLessThan(1e-6);
      }
    }
  });

  it('refuses a modulators file for another method', async () => {
    const ckpts = await fixtureCheckpoints(fixture);
    const yaml = `merge_method: pcb\nbase_model: base\nmodels:\n  - model: task1\n  - model: task2\n`;
    const plan = await planMerge(parseRecipe(yaml, 'r.yml').recipe, ckpts);
    await expect(
      executeMerge(plan, createCpuBackend(), memorySinkFolder(), {
        modulatorOutput: memorySink('m'),
      }),
    ).rejects.toThrow(/modulators are written by emr merges only, not pcb/);
  });
});
