/**
 * Layer (block) index of a tensor from its name, for gradient parameters and LiNeS:
 * `model.layers.3.mlp…`, `transformer.h.3.…`, `blocks.3.…`, `encoder.layer.3.…`,
 * `transformer.resblocks.3.…`. Tensors outside numbered blocks (embeddings, final norm, head)
 * have no index.
 */
const LAYER_RE = /((?:^|\.)(?:layers|layer|blocks|block|h|resblocks)\.)(\d+)(?=\.|$)/;

export function layerIndexOf(tensorName: string): number | null {
  const m = LAYER_RE.exec(tensorName);
  return m ? Number(m[2]) : null;
}

/** The name with its layer index replaced by `index` (names outside blocks unchanged). */
export function renumberLayer(tensorName: string, index: number): string {
  return tensorName.replace(LAYER_RE, (_, prefix: string) => `${prefix}${index}`);
}

/** Number of blocks L = largest index + 1 over the names (0 when none is numbered). */
export function countLayers(tensorNames: Iterable<string>): number {
  let max = -1;
  for (const n of tensorNames) max = Math.max(max, layerIndexOf(n) ?? -1);
  return max + 1;
}

/** Position in [0, 1] of a tensor along the depth: layer/(L−1); 0 outside blocks or L ≤ 1. */
export function layerFraction(layerIndex: number | null, numLayers: number): number {
  if (layerIndex === null || numLayers <= 1) return 0;
  return Math.min(1, layerIndex / (numLayers - 1));
}

/** LiNeS scale of a tensor: α + β·ℓ/(L−1) for block ℓ of L, α outside blocks. */
export function linesScale(
  alpha: number,
  beta: number,
  layerIndex: number | null,
  numLayers: number,
): number {
  if (layerIndex === null) return alpha;
  return alpha + beta * layerFraction(layerIndex, numLayers);
}
