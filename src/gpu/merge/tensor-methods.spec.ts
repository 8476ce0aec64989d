/**
 * CART on the WebGPU backend (range-finder products on the device) against the CPU backend
 * on the same job: a 530 × 560 tensor, big enough (short side > 512) for the randomised top-k
 * SVD, with task vectors of decaying spectrum (a few dominant directions plus noise). TSV-M
 * and Iso-CTS ask for exact SVDs (svd-merges.ts SvdRequest.exact), which stay on the CPU:
 * with the randomised finder, TSV-M's polar factors moved by 1.3e-4 (noise 1e-4) and 1.5e-2
 * (noise 1e-6) between f32 device and f64 host products.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TensorMethodJob } from '../../merge';
import { createCpuBackend } from '../../merge';
import { gaussian, matmulNT } from '../../merge';
import { readFixture, relativeError } from '../../merge/testing-read-fixture';
import { fixtureCheckpoints } from '../../merge/testing-fixture-pool';
import { executeMerge } from '../../merge';
import { planMerge } from '../../merge';
import { parseRecipe } from '../../merge';
import { memorySinkFolder } from '../../io';
import type { MergeBackend } from '../../merge';
import { f32Raw } from '../../merge/testing';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { createWebGpuBackend } from './webgpu-backend';

let gpu: ReturnType<typeof createWebGpuBackend>;
beforeAll(async () => {
  gpu = createWebGpuBackend(await requireNodeGpu());
});
afterAll(() => gpu?.dispose());

const [M, N, T] = [530, 560, 3];

function taskVector(seed: number): Float32Array {
  const rank = 12;
  const u = gaussian(M, rank, seed);
  const v = gaussian(N, rank, seed + 1);
  for (let j = 0; j < rank; j++) {
    for (let i = 0; i < M; i++) u.data[i * rank + j] = u.data[i * rank + j]! * 0.6 ** j;
  }
  const low = matmulNT(u, v);
  const noise = gaussian(M, N, seed + 2);
  return Float32Array.from(low.data, (x, i) => 0.01 * x + 1e-4 * noise.data[i]!);
}

function job(method: string, global: TensorMethodJob['global']): TensorMethodJob {
  const base = gaussian(M, N, 99).data;
  const models = Array.from({ length: T }, (_, t) => {
    const tau = taskVector(10 * t + 1);
    return f32Raw(Float32Array.from(tau, (x, i) => base[i]! + x));
  });
  return {
    kind: 'tensor_method',
    method,
    tensorName: 'w',
    shape: [M, N],
    numel: M * N,
    hasBase: true,
    base: f32Raw(base),
    models,
    global,
    perModel: models.map(() => ({})),
  };
}

describe('WebGPU = CPU for the SVD merges with device products (1e-5 relative)', () => {
  for (const [method, global] of [['cart', { alpha: 2, rank_ratio: 0.12 }]] as const) {
    it(
      method,
      async () => {
        const j = job(method, global);
        const base = new Float32Array(j.base!.bytes.buffer);
        const delta = (v: Float32Array) => v.map((x, i) => x - base[i]!);
        const cpu = (await createCpuBackend().mergeTensor(j)).merged;
        const onGpu = (await gpu.mergeTensor(j)).merged;
        expect(relativeError(delta(onGpu), delta(cpu))).toBeLessThan(1e-5);
      },
      120_000,
    );
  }
});

describe('every catalogue method through executeMerge: WebGPU backend = CPU backend', () => {
  const fixture = readFixture('./svd_merges.safetensors');
  const list = (n: number) =>
    Array.from({ length: n }, (_, t) => `  - model: task${t + 1}\n`).join('');
  const withBase = (method: string, n: number, extra = '') =>
    `merge_method: ${method}\nbase_model: base\nmodels:\n${list(n)}${extra}`;
  const recipes = [
    withBase('tsv_m', 3),
    withBase('iso_c', 3),
    withBase('iso_cts', 3),
    withBase('cart', 3),
    withBase('pcb', 3),
    withBase('emr', 3),
    withBase('sce', 3, 'parameters: {select_topk: 0.5}\n'),
    withBase('nearswap', 1, 'parameters: {t: 0.05}\n'),
    withBase('arcee_fusion', 1),
    withBase('ram', 3),
    withBase('ramplus_tl', 3),
    withBase('nuslerp', 2),
    withBase('multislerp', 3),
    `merge_method: karcher\nmodels:\n${list(3)}`,
    `merge_method: passthrough\nmodels:\n${list(1)}`,
  ];
  const run = async (yaml: string, backend: MergeBackend) => {
    const plan = await planMerge(
      parseRecipe(yaml, 'r.yml').recipe,
      await fixtureCheckpoints(fixture),
    );
    const folder = memorySinkFolder();
    await executeMerge(plan, backend, folder);
    return folder.files.get('model.safetensors')!;
  };
  for (const yaml of recipes) {
    it(yaml.split('\n')[0]!, async () => {
      expect(await run(yaml, gpu)).toEqual(await run(yaml, createCpuBackend()));
    });
  }
});
