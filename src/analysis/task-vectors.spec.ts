import { describe, expect, it } from 'vitest';
import { memorySource, openSingleCheckpoint, type Checkpoint } from '../io';
import { makeValidSafetensors, type TestTensor } from '../io/testing/corpus';
import { analyzeTaskVectors } from './task-vectors';
import { AnalysisError } from './errors';

/*
 * Hand-worked example. Base θ₀: blocks.0.w = [1, 1, 1, 1], blocks.1.w = [0, 0], embed = [5]
 * (plus a task head `heads.cls` whose shape differs per task). Task vectors, flattened in the
 * order blocks.0.w | blocks.1.w | embed:
 *   τA = [ 1, 0, −1,  2 |  2, 0 | 0]   ‖τA‖² = 1+1+4+4 = 10
 *   τB = [ 1, 1,  1,  0 |  1, 0 | 1]   ‖τB‖² = 1+1+1+1+1 = 5
 *   τC = −τA                           ‖τC‖² = 10
 * Dots: τA·τB = 1 − 1 + 2 = 2, τA·τC = −10, τB·τC = −2.
 *   cos(A,B) = 2/√50 = 0.282843, cos(A,C) = −1, cos(B,C) = −0.282843.
 * Sign conflicts (coordinates non-zero in both, then opposite signs):
 *   A,B: idx 0 (+,+), 2 (−,+), 4 (+,+) → 1 of 3;  A,C: idx 0,2,3,4 all opposite → 4 of 4;
 *   B,C: idx 0 (+,−), 2 (+,+), 4 (+,−) → 2 of 3.
 * Per-block norms: block 0: A √6, B √3, C √6; block 1: A 2, B 1, C 2; outside (embed): 0, 1, 0.
 */
const BASE = { 'blocks.0.w': [1, 1, 1, 1], 'blocks.1.w': [0, 0], embed: [5] };
const TAU_A = { 'blocks.0.w': [1, 0, -1, 2], 'blocks.1.w': [2, 0], embed: [0] };
const TAU_B = { 'blocks.0.w': [1, 1, 1, 0], 'blocks.1.w': [1, 0], embed: [1] };
const TAU_C = { 'blocks.0.w': [-1, 0, 1, -2], 'blocks.1.w': [-2, 0], embed: [0] };

type Values = Record<string, number[]>;

async function model(name: string, tau: Values | null, headRows: number): Promise<Checkpoint> {
  const tensors: TestTensor[] = Object.entries(BASE).map(([tensor, base]) => ({
    name: tensor,
    dtype: 'F32' as const,
    shape: [base.length],
    values: Float32Array.from(base, (v, i) => v + (tau?.[tensor]?.[i] ?? 0)),
  }));
  tensors.push({
    name: 'heads.cls',
    dtype: 'F32',
    shape: [headRows, 2],
    values: new Float32Array(headRows * 2).fill(9),
  });
  return openSingleCheckpoint(memorySource(makeValidSafetensors(tensors), name), name);
}

const heads = (name: string) => name.startsWith('heads.');

describe('analyzeTaskVectors', () => {
  it('gives the hand-worked cosines, norms, sign conflicts and per-block norms', async () => {
    const base = await model('base', null, 1);
    const tasks = [
      await model('A', TAU_A, 2),
      await model('B', TAU_B, 3),
      await model('C', TAU_C, 4),
    ];
    const r = await analyzeTaskVectors(base, tasks, { isTaskSpecific: heads });
    expect(r.tasks).toEqual(['A', 'B', 'C']);
    expect(r.tensors).toBe(3);
    expect(r.parameters).toBe(7);
    expect(r.norms[0]).toBeCloseTo(Math.sqrt(10), 6);
    expect(r.norms[1]).toBeCloseTo(Math.sqrt(5), 6);
    const c = 0.282843;
    const expectedCos = [
      [1, c, -1],
      [c, 1, -c],
      [-1, -c, 1],
    ];
    expectedCos.forEach((row, a) =>
      row.forEach((v, b) => expect(r.cosine[a]![b]).toBeCloseTo(v, 5)),
    );
    const expectedConflict = [
      [0, 1 / 3, 1],
      [1 / 3, 0, 2 / 3],
      [1, 2 / 3, 0],
    ];
    expectedConflict.forEach((row, a) =>
      row.forEach((v, b) => expect(r.signConflict[a]![b]).toBeCloseTo(v, 6)),
    );
    expect(r.layers.map((l) => l.layer)).toEqual([0, 1, null]);
    const expectedLayers = [
      [Math.sqrt(6), Math.sqrt(3), Math.sqrt(6)],
      [2, 1, 2],
      [0, 1, 0],
    ];
    expectedLayers.forEach((norms, i) =>
      norms.forEach((v, t) => expect(r.layers[i]!.norms[t]).toBeCloseTo(v, 6)),
    );
  });

  it('reports NaN cosine and conflict for an all-zero task vector', async () => {
    const base = await model('base', null, 1);
    const same = await model('same', null, 1);
    const r = await analyzeTaskVectors(base, [await model('A', TAU_A, 1), same], {
      isTaskSpecific: heads,
    });
    expect(r.norms[1]).toBe(0);
    expect(r.cosine[0]![1]).toBeNaN();
    expect(r.signConflict[0]![1]).toBeNaN();
  });

  it('names the checkpoint and tensor when heads are not excluded and differ in shape', async () => {
    const base = await model('base', null, 1);
    const error = await analyzeTaskVectors(base, [await model('A', TAU_A, 2)]).catch((e) => e);
    expect(error).toBeInstanceOf(AnalysisError);
    expect(error.file).toBe('A');
    expect(error.tensor).toBe('heads.cls');
    expect(error.message).toMatch(/shape \[2, 2\] differs from the base's \[1, 2\]/);
  });

  it('stops when the signal is aborted', async () => {
    const base = await model('base', null, 1);
    const controller = new AbortController();
    controller.abort();
    await expect(
      analyzeTaskVectors(base, [await model('A', TAU_A, 1)], {
        isTaskSpecific: heads,
        signal: controller.signal,
      }),
    ).rejects.toThrow();
  });
});
