/**
 * The demo zoo's ViT as a registry entry: recognised by its tensor names (it has no
 * config.json; the zoo manifest carries the config), `encoder.*` merged, `heads.<task>.*` task
 * specific, blocks = `encoder.blocks.<i>`.
 */
import type { Architecture } from './architecture';
import { ENCODER_PREFIX, HEAD_PREFIX } from './vit-config';

const BLOCK = /^encoder\.blocks\.(\d+)\./;

export const zooVitArchitecture: Architecture = {
  id: 'merge-studio-vit',
  title: "Merge Studio's demo-zoo ViT",
  recognise({ tensorNames }) {
    const names = new Set(tensorNames);
    if (!names.has('encoder.patch_embed.weight') || !names.has('encoder.cls_token')) return null;
    let blocks = 0;
    for (const n of tensorNames) blocks = Math.max(blocks, Number(BLOCK.exec(n)?.[1] ?? -1) + 1);
    return {
      id: 'merge-studio-vit',
      variant: 'vit',
      isMerged: (name) => name.startsWith(ENCODER_PREFIX),
      unmerged: [HEAD_PREFIX],
      blockOf: (name) => {
        const m = BLOCK.exec(name);
        return m ? Number(m[1]) : null;
      },
      blocks,
    };
  },
};
