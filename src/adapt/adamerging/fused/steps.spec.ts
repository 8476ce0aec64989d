/**
 * Every fused step is keyed by an architecture of the models registry; the two architectures
 * AdaMerging runs on (the zoo ViT, CLIP) have one. The dense SIMO model learns no λ (its fixes
 * are re-alignment, src/adapt/simo), so it has none.
 */
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, DEFAULT_VIT_CONFIG } from '../../../models';
import { FUSED_STEPS } from './steps';

describe('fused AdaMerging steps by architecture', () => {
  it('are keyed by the models registry’s ids', () => {
    const ids = ARCHITECTURES.map((a) => a.id);
    for (const key of Object.keys(FUSED_STEPS)) expect(ids).toContain(key);
    expect(Object.keys(FUSED_STEPS).sort()).toEqual(['clip', 'merge-studio-vit']);
  });

  it('say when their kernels fit a config', () => {
    const vit = FUSED_STEPS['merge-studio-vit'];
    expect(vit.supports(DEFAULT_VIT_CONFIG)).toBe(true);
    expect(vit.supports({ ...DEFAULT_VIT_CONFIG, dim: 50, heads: 5 })).toBe(false);
  });
});
