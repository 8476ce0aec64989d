import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../../../src/merge/methods/types';
import { cart } from '../../../src/merge/methods/cart';
import { allowedRange, effectiveValue, paramLabel, sliderRange } from './params';

const weight: ParamSpec = {
  name: 'weight',
  type: 'number',
  default: 1,
  sliderMin: -1,
  sliderMax: 2,
  step: 0.05,
  help: '',
};
const k: ParamSpec = { name: 'k', type: 'int', default: 2, min: 1, max: 64, help: '' };

describe('method params', () => {
  it('prefers slider bounds over hard limits and defaults the step by type', () => {
    expect(sliderRange(weight)).toEqual({ min: -1, max: 2, step: 0.05 });
    expect(sliderRange(k)).toEqual({ min: 1, max: 64, step: 1 });
  });

  it('uses the override when set, else the declared default', () => {
    expect(effectiveValue(weight, undefined)).toBe(1);
    expect(effectiveValue(weight, 0)).toBe(0); // 0 is a value, not "unset"
    expect(effectiveValue({ ...k, default: null }, undefined)).toBeNull();
  });

  it("states the declared hard limits, e.g. CART's rank ratio", () => {
    const ratio = cart.globalParams.find((p) => p.name === 'rank_ratio')!;
    expect(allowedRange(ratio)).toBe(`allowed ${ratio.min} … ${ratio.max}`);
    expect(allowedRange(k)).toBe('allowed 1 … 64');
    expect(allowedRange({ ...k, max: undefined })).toBe('allowed ≥ 1');
    expect(allowedRange(weight)).toBeNull(); // slider bounds are not limits
  });

  it('turns snake_case names into labels', () => {
    expect(paramLabel('mask_lambda')).toBe('Mask lambda');
  });
});
