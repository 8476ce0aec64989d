/** A tiny dense-model config for specs (8 px, 2 blocks) with the three SIMO tasks. */
import { DENSE_MODEL_TYPE, type DenseConfig } from '../dense/config';

export function tinyDenseConfig(imageSize = 8): DenseConfig {
  return {
    model_type: DENSE_MODEL_TYPE,
    encoder: { imageSize, patchSize: 4, dim: 8, depth: 2, heads: 2, mlpDim: 16, eps: 1e-5 },
    channels: 3,
    decoderHidden: 8,
    tasks: [
      { name: 'seg', kind: 'segmentation', classes: 5 },
      { name: 'depth', kind: 'depth' },
      { name: 'normals', kind: 'normals' },
    ],
  };
}
