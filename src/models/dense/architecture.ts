/**
 * The SIMO dense ViT as a registry entry: recognised by its config (`model_type`) or by an
 * encoder with `decoders.*` tensors; `encoder.*` merged, `decoders.` (and `adapters.`) task
 * specific, blocks = `encoder.blocks.<i>`. Listed before the zoo ViT, whose names it shares.
 */
import type { Architecture } from '../architecture';
import { ENCODER_PREFIX } from '../vit-config';
import { ADAPTER_PREFIX, DECODER_PREFIX, DENSE_MODEL_TYPE } from './config';

const BLOCK = /^encoder\.blocks\.(\d+)\./;

const hasDenseType = (config: unknown): boolean =>
  typeof config === 'object' &&
  config !== null &&
  (config as { model_type?: unknown }).model_type === DENSE_MODEL_TYPE;

export const denseVitArchitecture: Architecture = {
  id: DENSE_MODEL_TYPE,
  title: "Merge Studio's SIMO dense ViT (encoder + per-task decoders)",
  recognise({ config, tensorNames }) {
    if (!tensorNames.includes(`${ENCODER_PREFIX}patch_embed.weight`)) return null;
    if (!hasDenseType(config) && !tensorNames.some((n) => n.startsWith(DECODER_PREFIX)))
      return null;
    let blocks = 0;
    for (const n of tensorNames) blocks = Math.max(blocks, Number(BLOCK.exec(n)?.[1] ?? -1) + 1);
    return {
      id: DENSE_MODEL_TYPE,
      variant: 'dense-vit',
      isMerged: (name) => name.startsWith(ENCODER_PREFIX),
      unmerged: [DECODER_PREFIX, ADAPTER_PREFIX],
      blockOf: (name) => {
        const m = BLOCK.exec(name);
        return m ? Number(m[1]) : null;
      },
      blocks,
    };
  },
};
