/**
 * Model-scope radix select on the GPU == a full sort (independent expectation) == the CPU
 * reference's selector, on random data with many exact ties, mixed dtypes and several tensors
 * per model streamed in two passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CpuMagnitudeSelector,
  unpackToF32,
  type MagnitudeSelector,
  type RawTensor,
} from '../../merge';
import type { GpuContext } from '../adapter';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { gpuCase } from '../testing/gpu-case';
import { randomTensors } from '../testing/random-jobs';
import { createWebGpuBackend, selectionPlacement } from './webgpu-backend';

let ctx: GpuContext;
let gpu: ReturnType<typeof createWebGpuBackend>;
let chunked: ReturnType<typeof createWebGpuBackend>;
beforeAll(async () => {
  ctx = await requireNodeGpu();
  // selection: 'gpu' — the device's own selector (auto picks the CPU one on this adapter).
  gpu = createWebGpuBackend(ctx, { selection: 'gpu' });
  chunked = createWebGpuBackend(ctx, { maxBindingBytes: 32 * 1024, selection: 'gpu' });
});
afterAll(() => {
  gpu?.dispose();
  chunked?.dispose();
});

interface Tensor {
  base: RawTensor;
  models: RawTensor[];
  numel: number;
}

function tensors(ties: boolean): Tensor[] {
  return [1, 1023, 40_000, 3].map((numel, t) => ({
    numel,
    ...randomTensors({
      numel,
      models: 3,
      seed: 100 + t,
      dtypes: ['F32', 'BF16', 'F16', 'F32'],
      ties,
    }),
  }));
}

/** The k-th largest |δ| of each model over all tensors by sorting everything (f32 δ). */
function sortedThresholds(set: Tensor[], densities: number[]): number[] {
  return densities.map((d, m) => {
    const all: number[] = [];
    for (const t of set) {
      const b = unpackToF32(t.base, t.numel, 'base');
      const x = unpackToF32(t.models[m] as RawTensor, t.numel, 'model');
      for (let i = 0; i < t.numel; i++)
        all.push(Math.abs(Math.fround((x[i] as number) - (b[i] as number))));
    }
    all.sort((a, b) => b - a);
    const k = Math.floor(d * all.length);
    if (k <= 0) return Infinity;
    if (k >= all.length) return 0;
    return all[k - 1] as number;
  });
}

async function drive(
  selector: MagnitudeSelector,
  set: Tensor[],
  models: number,
  viaAddAll = false,
): Promise<number> {
  let passes = 0;
  do {
    passes++;
    for (const t of set) {
      if (viaAddAll) await selector.addAll!(t.base, t.models.slice(0, models));
      else for (let m = 0; m < models; m++) await selector.add(m, t.base, t.models[m] as RawTensor);
    }
    await selector.closePass?.();
  } while (selector.needsAnotherPass());
  return passes;
}

describe('GPU magnitude selector (model-scope top-k)', () => {
  for (const ties of [false, true]) {
    for (const [label, densities] of [
      ['typical', [0.2, 0.5, 0.9]],
      ['edges', [0, 1, 1 / 41027]],
    ] as const) {
      it(`equals a full sort and the CPU selector (${label}${ties ? ', many ties' : ''})`, async () => {
        const set = tensors(ties);
        const total = set.reduce((s, t) => s + t.numel, 0);
        const expected = sortedThresholds(set, [...densities]);
        for (const [backend, viaAddAll] of [
          [gpu, false],
          [chunked, false],
          [gpu, true],
          [chunked, true],
        ] as const) {
          const g = backend.createMagnitudeSelector([...densities], total);
          const passes = await gpuCase(ctx, () => drive(g, set, 3, viaAddAll));
          expect(g.thresholds()).toEqual(expected);
          expect(passes).toBe(
            label === 'edges' && densities.every((d) => d === 0 || d === 1) ? 1 : 2,
          );
        }
        const c = new CpuMagnitudeSelector([...densities], total);
        await drive(c, set, 3);
        expect(c.thresholds()).toEqual(expected);
        if (ties) {
          // Ties are real: some model's threshold value occurs many times among its |δ|.
          const counts = expected.map((v, m) => {
            let n = 0;
            for (const t of set) {
              const b = unpackToF32(t.base, t.numel, 'base');
              const x = unpackToF32(t.models[m] as RawTensor, t.numel, 'model');
              for (let i = 0; i < t.numel; i++)
                if (Math.abs(Math.fround((x[i] as number) - (b[i] as number))) === v) n++;
            }
            return n;
          });
          expect(Math.max(...counts)).toBeGreaterThan(100);
        }
      });
    }
  }

  it("selection 'auto' uses the CPU selector on a compatibility / fallback adapter, same thresholds", async () => {
    const info = (over: Partial<GpuContext['info']>): GpuContext =>
      ({ ...ctx, info: { ...ctx.info, ...over } }) as GpuContext;
    expect(selectionPlacement(info({ featureLevel: 'compatibility', fallback: false }))).toBe(
      'cpu',
    );
    expect(selectionPlacement(info({ featureLevel: 'core', fallback: true }))).toBe('cpu');
    expect(selectionPlacement(info({ featureLevel: 'core', fallback: false }))).toBe('gpu');
    expect(selectionPlacement(info({ featureLevel: 'core', fallback: false }), 'cpu')).toBe('cpu');
    const auto = createWebGpuBackend(ctx);
    try {
      const set = tensors(true);
      const total = set.reduce((s, t) => s + t.numel, 0);
      const s = auto.createMagnitudeSelector([0.2, 0.5, 0.9], total);
      if (selectionPlacement(ctx) === 'cpu') expect(s).toBeInstanceOf(CpuMagnitudeSelector);
      await drive(s, set, 3, true);
      expect(s.thresholds()).toEqual(sortedThresholds(set, [0.2, 0.5, 0.9]));
    } finally {
      auto.dispose();
    }
  });

  it('refuses to close a pass whose GPU histograms were not read back (closePass)', async () => {
    const set = tensors(false).slice(0, 2);
    const s = gpu.createMagnitudeSelector(
      [0.5, 0.5, 0.5],
      set.reduce((a, t) => a + t.numel, 0),
    );
    for (const t of set) await s.add(0, t.base, t.models[0] as RawTensor);
    expect(() => s.needsAnotherPass()).toThrow(/closePass/);
    await s.closePass!();
    expect(s.needsAnotherPass()).toBe(true);
  });
});
