import { describe, expect, it } from 'vitest';
import { decodeShared, encodeShared, type SharedSettings } from './shareState';

const settings: SharedSettings = {
  method: 'ties',
  global: { lambda: 0.3, normalize: false, disjoint: 'sum' },
  models: { 'mnist λ.safetensors': { weight: 0.5, density: 0.2 } },
  seed: 7,
  taskFilter: 'heads.',
  base: 'base',
};

describe('share link state', () => {
  it('round-trips through a URL-safe fragment, including non-ASCII names', () => {
    const fragment = encodeShared(settings);
    expect(fragment).toMatch(/^s=[A-Za-z0-9_-]+$/);
    expect(decodeShared(`#${fragment}`)).toEqual(settings);
  });

  it('rejects fragments that are not ours or are tampered with', () => {
    expect(decodeShared('')).toBeNull();
    expect(decodeShared('#s=!!!')).toBeNull();
    const evil = encodeShared({ ...settings, global: { lambda: { $gt: 1 } } as never });
    expect(decodeShared(evil)).toBeNull();
    const noSeed = encodeShared({ ...settings, seed: 1.5 });
    expect(decodeShared(noSeed)).toBeNull();
  });
});
