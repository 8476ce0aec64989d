import { describe, expect, it } from 'vitest';
import {
  depthRange,
  depthToRgba,
  normalsToRgba,
  rgbToRgba,
  SEGMENTATION_PALETTE,
  segmentationToRgba,
  taskToRgba,
} from './pictures';

const px = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.subarray(i * 4, i * 4 + 4));

describe('SIMO colour maps', () => {
  it('RGB and segmentation: bytes as they are, classes by the palette (wrapping)', () => {
    expect(Array.from(rgbToRgba([1, 2, 3, 250, 251, 252]))).toEqual([
      1, 2, 3, 255, 250, 251, 252, 255,
    ]);
    const seg = segmentationToRgba(new Int32Array([0, 3, SEGMENTATION_PALETTE.length + 1]));
    expect(px(seg, 0)).toEqual([...SEGMENTATION_PALETTE[0]!, 255]);
    expect(px(seg, 1)).toEqual([...SEGMENTATION_PALETTE[3]!, 255]);
    expect(px(seg, 2)).toEqual(px(segmentationToRgba([1]), 0));
    expect(new Set(SEGMENTATION_PALETTE.map((c) => c.join())).size).toBe(
      SEGMENTATION_PALETTE.length,
    );
  });

  it('depth: near bright, far dark, clamped to the truth range, monotone in brightness', () => {
    const range = depthRange([2, 4, 10]);
    expect(range).toEqual({ min: 2, max: 10 });
    expect(depthRange([3, 3])).toEqual({ min: 3, max: 4 });
    const d = depthToRgba([2, 10, -5, 99, NaN], range);
    expect(px(d, 0)).toEqual([252, 253, 191, 255]);
    expect(px(d, 1)).toEqual([0, 0, 4, 255]);
    expect(px(d, 2)).toEqual(px(d, 0));
    expect(px(d, 3)).toEqual(px(d, 1));
    expect(px(d, 4)).toEqual(px(d, 1));
    const ramp = depthToRgba(
      Array.from({ length: 33 }, (_, i) => 2 + i / 4),
      range,
    );
    const light = Array.from(
      { length: 33 },
      (_, i) => ramp[i * 4]! + ramp[i * 4 + 1]! + ramp[i * 4 + 2]!,
    );
    for (let i = 1; i < light.length; i++) expect(light[i]!).toBeLessThanOrEqual(light[i - 1]!);
  });

  it('normals: (n/|n| + 1)/2 as RGB; unnormalised outputs are normalised first', () => {
    const n = normalsToRgba([0, 0, 1, 0, 0, 5, -1, 0, 0, 0, 0, 0]);
    expect(px(n, 0)).toEqual([128, 128, 255, 255]);
    expect(px(n, 1)).toEqual(px(n, 0));
    expect(px(n, 2)).toEqual([0, 128, 128, 255]);
    expect(px(n, 3)).toEqual([128, 128, 128, 255]);
    expect(Array.from(taskToRgba('depth', [4], [2, 10]))).toEqual(
      Array.from(depthToRgba([4], { min: 2, max: 10 })),
    );
  });
});
