/**
 * `npx tsx scripts/clip-zoo/probe-finetune.ts <zoo copy> <json plan overrides>`: re-runs the
 * fine-tunes whose `.build/finetune-<task>.json` marker was deleted, on the copy's existing base,
 * with the full plan plus the overrides (docs/zoo-v2.md, session-14 fine-tune probes).
 */
import { buildClipZoo } from './build';
import type { ZooPlan } from './config';

const [out, extra] = process.argv.slice(2);
if (!out) {
  console.error('usage: npx tsx scripts/clip-zoo/probe-finetune.ts <zoo copy> [json overrides]');
  process.exit(1);
}
const overrides = (extra ? JSON.parse(extra) : {}) as Partial<ZooPlan>;
await buildClipZoo({ out, seed: 0, resume: true, scale: 'full', planOverrides: overrides });
