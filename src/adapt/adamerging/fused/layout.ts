/**
 * The packed parameter layout of the fused engine: every merged encoder tensor at an offset
 * aligned to 64 floats (256 bytes, WebGPU's storage-binding offset alignment) so each kernel
 * binds exactly its tensor's range of one buffer. θ₀, θ, θᵀ, ∂loss/∂θ and every τₖ share it.
 */
export const ALIGN = 64;

export interface PackedLayout {
  names: string[];
  offsets: number[];
  lengths: number[];
  /** Padded total length. */
  size: number;
  /** owner[e] = index of the tensor holding element e; padding holds 0xffffffff. */
  owner: Uint32Array;
}

export function packLayout(names: string[], lengths: number[]): PackedLayout {
  const offsets: number[] = [];
  let at = 0;
  for (const n of lengths) {
    offsets.push(at);
    at += Math.ceil(n / ALIGN) * ALIGN;
  }
  const owner = new Uint32Array(at).fill(0xffffffff);
  offsets.forEach((o, l) => owner.fill(l, o, o + lengths[l]!));
  return { names, offsets, lengths, size: at, owner };
}

/** Copies one array per tensor into a packed Float32Array (zeros in the padding). */
export function packArrays(
  layout: PackedLayout,
  arrays: Float32Array[],
): Float32Array<ArrayBuffer> {
  const out = new Float32Array(layout.size);
  arrays.forEach((a, l) => out.set(a, layout.offsets[l]!));
  return out;
}
