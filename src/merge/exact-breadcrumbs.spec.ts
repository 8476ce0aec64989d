/**
 * mergekit's per-tensor Breadcrumbs (magnitude_outliers) keeps exactly its slice
 * [n_bot, N − n_top) of an ascending sort of |δ|. On heavily tied BF16 inputs both band edges
 * are tied with far more entries than fit; the kept set must be the slice of a stable sort
 * (the reference here: Array.prototype.sort, stable by the spec), on every CPU path — the
 * WebAssembly and TypeScript element-wise kernels, sparsify (l1 rescale), the streamed
 * executor (edges from the selector, cuts placed by one more read) — while the papers'
 * row-wise band keeps every tie.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memorySinkFolder } from '../io';
import type { TaskArithmeticJob, TensorJob } from './backend';
import { createCpuBackend, mergeTensorCpu } from './cpu/index';
import { setWasmKernelsEnabled } from './cpu/wasm/kernels';
import { exactTensorBand, outlierSlice } from './cpu/select';
import { executeMerge } from './executor/index';
import { tieCut } from './exact-k';
import { planMerge } from './plan';
import { parseRecipe } from './recipe/parse';
import { keptCountJob, tiedCheckpoints, tiedTiesJob, tiedValues } from './testing-tied';

afterEach(() => setWasmKernelsEnabled(true));

const GAMMA = 0.05;
const DENSITY = 0.5;

/** A one-model Breadcrumbs job on tied inputs: out ≠ θ₀ exactly where δ₀ is kept. */
function breadcrumbsJob(numel: number, seed: number, gamma = GAMMA, density = DENSITY) {
  return {
    ...keptCountJob(numel, seed),
    sparsifier: 'magnitude_outliers' as const,
    gammas: [gamma],
    densities: [density],
  };
}

/** The indices mergekit keeps: a stable ascending sort of |δ|, slice [n_bot, N − n_top). */
function referenceKept(numel: number, seed: number, gamma = GAMMA, density = DENSITY): number[] {
  const [base, tuned] = tiedValues(numel, 1, seed);
  const mags = tuned!.map((t, i) => Math.abs(Math.fround(t - base![i]!)));
  const order = Array.from(mags.keys()).sort((a, b) => mags[a]! - mags[b]!);
  const { nTop, keep } = outlierSlice(numel, density, gamma);
  const nBot = numel - keep - nTop;
  return order.slice(nBot, numel - nTop).sort((a, b) => a - b);
}

function changedIndices(job: TaskArithmeticJob, merged: Float32Array): number[] {
  const [base] = tiedValues(job.numel, 1, Number(job.tensorName.split('.')[1]));
  const out: number[] = [];
  for (let i = 0; i < merged.length; i++) if (merged[i] !== base![i]) out.push(i);
  return out;
}

/** How many of an edge value's ties there are and how many of them the slice keeps. */
function edgeTies(numel: number, seed: number, kept: number[], rank: number) {
  const [base, tuned] = tiedValues(numel, 1, seed);
  const mags = tuned!.map((t, i) => Math.abs(Math.fround(t - base![i]!)));
  const value = Float32Array.from(mags).sort().reverse()[rank - 1]!;
  const keptSet = new Set(kept);
  let tied = 0;
  let keptTies = 0;
  mags.forEach((a, i) => {
    if (a !== value) return;
    tied++;
    if (keptSet.has(i)) keptTies++;
  });
  return { tied, keptTies };
}

describe('exact Breadcrumbs band (mergekit semantics)', () => {
  it('keeps exactly the stable sort slice on tied BF16 inputs, on every CPU path', () => {
    // 70 001: above the radix select's minimum (its histograms give the edges' counts).
    for (const n of [4096, 3001, 70_001]) {
      const seed = 7;
      const want = referenceKept(n, seed);
      const { nTop, keep } = outlierSlice(n, DENSITY, GAMMA);
      expect(want.length).toBe(keep);
      // The precondition: both edges drop some of their ties (the old rule kept all of them).
      const lo = edgeTies(n, seed, want, nTop + keep);
      const hi = edgeTies(n, seed, want, nTop + 1);
      expect(lo.tied).toBeGreaterThan(lo.keptTies + 100);
      expect(hi.tied).toBeGreaterThan(hi.keptTies);
      expect(hi.keptTies).toBeGreaterThan(0);
      const job = breadcrumbsJob(n, seed);
      expect(changedIndices(job, mergeTensorCpu(job).merged)).toEqual(want);
      setWasmKernelsEnabled(false);
      expect(changedIndices(job, mergeTensorCpu(job).merged)).toEqual(want);
      setWasmKernelsEnabled(true);
      const l1 = mergeTensorCpu({ ...job, rescale: 'l1' }).merged;
      expect(changedIndices(job, l1)).toEqual(want);
    }
  });

  it('one edge value for both edges (lo = hi): the cuts meet on the same ties', () => {
    // γ 0.4, density 0.2 of tied levels: ranks 41 %…60 % all sit on one |δ| value.
    const n = 2000;
    const want = referenceKept(n, 3, 0.4, 0.2);
    const job = breadcrumbsJob(n, 3, 0.4, 0.2);
    const [base, tuned] = tiedValues(n, 1, 3);
    const delta = tuned!.map((t, i) => t - base![i]!);
    const band = exactTensorBand(delta, 0, n, 'magnitude_outliers', 0.2, 0.4)!;
    expect(band.lo).toBe(band.hi);
    expect(band.loTieBegin).toBeLessThan(band.hiTieEnd!);
    const cut = tieCut(job)!;
    expect(cut.parts.length).toBe(3);
    expect(changedIndices(job, mergeTensorCpu(job).merged)).toEqual(want);
    // Every part's bands are plain: no index test reaches a kernel.
    for (const part of cut.parts) {
      for (const b of part.tensorBands!) {
        expect([b?.tieEnd, b?.loTieBegin, b?.hiTieEnd]).toEqual([undefined, undefined, undefined]);
      }
    }
  });

  it('the papers’ row-wise band keeps every tie with an edge', () => {
    const job = { ...breadcrumbsJob(4096, 7), rowWise: true, shape: [4096] };
    expect(tieCut(job)).toBeUndefined();
    const kept = changedIndices(job, mergeTensorCpu(job).merged).length;
    expect(kept).toBeGreaterThan(outlierSlice(4096, DENSITY, GAMMA).keep + 100);
  });

  it('Breadcrumbs-TIES of three tied models: streamed in chunks gives the whole-tensor file', async () => {
    const ckpts = await tiedCheckpoints([48, 64], 3, 5);
    const yaml =
      'merge_method: breadcrumbs_ties\nbase_model: base\nmodels: [task1, {model: task2, parameters: {weight: 0.5}}, task3]\nparameters: {density: 0.5, gamma: 0.05}\ndtype: float32\n';
    const recipe = parseRecipe(yaml, 'test.yml').recipe;
    const sizes: number[] = [];
    const run = async (chunkElements?: number, rescale = false) => {
      const folder = memorySinkFolder();
      const cpu = createCpuBackend();
      const backend = {
        ...cpu,
        mergeTensor: (job: TensorJob) => (sizes.push(job.numel), cpu.mergeTensor(job)),
      };
      const r = rescale
        ? parseRecipe(yaml.replace('gamma: 0.05', 'gamma: 0.05, rescale: l1'), 'l1.yml').recipe
        : recipe;
      await executeMerge(await planMerge(r, ckpts), backend, folder, { chunkElements });
      return Buffer.from(folder.files.get('model.safetensors')!);
    };
    const whole = await run();
    expect(sizes).toEqual([48 * 64]);
    for (const chunk of [256, 1000]) {
      const streamed = await run(chunk);
      expect(Math.max(...sizes.slice(1))).toBe(chunk);
      expect(streamed.equals(whole), `chunks of ${chunk}`).toBe(true);
      sizes.length = 1;
    }
    expect((await run(256, true)).equals(await run(undefined, true))).toBe(true);
  });

  it('a three-model job: the whole-tensor bands cut at both edges of every model', () => {
    const job: TaskArithmeticJob = {
      ...tiedTiesJob(6000, 3, 11),
      sparsifier: 'magnitude_outliers',
      gammas: [0.05, 0.1, 0.02],
    };
    const cut = tieCut(job)!;
    // Up to two cuts per model: at most seven ranges.
    expect(cut.parts.length).toBeGreaterThan(3);
    expect(cut.parts.length).toBeLessThanOrEqual(7);
    const wasm = mergeTensorCpu(job).merged;
    setWasmKernelsEnabled(false);
    expect(Array.from(mergeTensorCpu(job).merged)).toEqual(Array.from(wasm));
  });
});
