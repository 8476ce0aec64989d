/**
 * HF CLIP as a registry entry: recognised from config.json + tensor names; the vision tower
 * (`vision_model.*`) is what merging and AdaMerging change; the text tower, the projections and
 * the logit scale are never merged (copied from the base); blocks = embeddings + pre-LN, the L
 * layers, post-LN + projection.
 */
import type { Architecture } from '../architecture';
import { clipBlockIndex, clipVisionBlockCount, isVisionEncoderTensor } from './tensors';
import { recogniseClip } from './recognise';

/** Name substrings of everything a CLIP merge leaves as the base has it. */
export const CLIP_UNMERGED = [
  'text_model.',
  'text_projection.',
  'visual_projection.',
  'logit_scale',
];

export const clipArchitecture: Architecture = {
  id: 'clip',
  title: 'Hugging Face CLIP (CLIPModel, CLIPVisionModel, CLIPVisionModelWithProjection)',
  recognise({ config, tensorNames, file, shapeOf }) {
    const cfg = recogniseClip(config, tensorNames, file, shapeOf);
    if (!cfg) return null;
    return {
      id: 'clip',
      variant: cfg.variant,
      isMerged: isVisionEncoderTensor,
      unmerged: CLIP_UNMERGED,
      blockOf: (name) => clipBlockIndex(name, cfg),
      blocks: clipVisionBlockCount(cfg),
    };
  },
};
