/**
 * Counter-based randomness for DARE / DELLA: every element's uniform number is a pure function
 * of (seed, model index, tensor name, element index), so GPU and CPU draw exactly the same mask
 * whatever the chunking or order. The WGSL twin is src/gpu/kernels/random.wgsl; keep them equal.
 */

/** "lowbias32" integer hash (Chris Wellons): good avalanche with only u32 mul/xor/shift. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** FNV-1a over the UTF-8 bytes of a tensor name. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Per (seed, model, tensor) stream key; computed once per tensor and model. */
export function streamKey(seed: number, modelIndex: number, tensorNameHash: number): number {
  return mix32((tensorNameHash ^ mix32((seed >>> 0) ^ mix32(modelIndex >>> 0))) >>> 0);
}

/** Uniform in [0, 1) with 24 random bits — exactly representable in f32 on both sides. */
export function elementUniform(key: number, index: number): number {
  return (mix32((key ^ mix32(index >>> 0)) >>> 0) >>> 8) / 16777216;
}
