/**
 * `npx tsx scripts/clip-zoo/probe.ts <out> <steps> [json plan overrides]`: a short pretraining
 * probe (docs/zoo-v2.md, "Probes (session 10)"). Builds only what diagnose-base.ts and a
 * zero-shot eval need: the base, with the full plan's sizes and the given overrides; the
 * fine-tunes are 1-step stubs and the test sets 1 image per class (evaluate on a full build's
 * data folders instead).
 */
import { buildClipZoo } from './build';
import type { ZooPlan } from './config';

const [out, steps, extra] = process.argv.slice(2);
if (!out || !steps) {
  console.error('usage: npx tsx scripts/clip-zoo/probe.ts <out> <steps> [json overrides]');
  process.exit(1);
}
const n = Number(steps);
const overrides: Partial<ZooPlan> = {
  pretrainSteps: n,
  pretrainWarmup: Math.max(1, Math.round((n * 60) / 800)),
  pretrainPairs: Math.min(32_000, n * 128),
  testPerTask: 1,
  finetuneTrain: 16,
  finetuneSteps: 1,
  finetuneBatch: 16,
  ...(extra ? (JSON.parse(extra) as Partial<ZooPlan>) : {}),
};
await buildClipZoo({ out, seed: 0, resume: false, scale: 'full', planOverrides: overrides });
