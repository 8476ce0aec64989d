/** Every architecture of the models registry has its AdaMerging step here, and only those. */
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, DEFAULT_VIT_CONFIG } from '../../../models';
import { FUSED_STEPS } from './steps';

describe('fused AdaMerging steps by architecture', () => {
  it('are keyed by the models registry’s ids', () => {
    expect(Object.keys(FUSED_STEPS).sort()).toEqual(ARCHITECTURES.map((a) => a.id).sort());
  });

  it('say when their kernels fit a config', () => {
    const vit = FUSED_STEPS['merge-studio-vit'];
    expect(vit.supports(DEFAULT_VIT_CONFIG)).toBe(true);
    expect(vit.supports({ ...DEFAULT_VIT_CONFIG, dim: 50, heads: 5 })).toBe(false);
  });
});
