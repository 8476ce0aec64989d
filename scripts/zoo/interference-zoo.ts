/**
 * `npm run zoo:interference [-- --zoo DIR --limit N]`: prints the merge-interference diagnostic
 * (src/eval/interference.ts) of a zoo as a markdown table: accuracy per task and mean entropy
 * for the base, task arithmetic over a λ grid, each task's own vector alone and the others'.
 * `--zoo` may also be a CLIP zoo folder (scripts/clip-zoo/interference.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initTf } from '../../src/tf/backend';
import { loadZoo } from '../../src/zoo/load';
import { interferenceMarkdown, interferenceRows } from '../../src/eval/interference';
import { printClipInterference } from '../clip-zoo/interference';

const { values } = parseArgs({
  options: {
    zoo: { type: 'string', default: 'public/zoo' },
    limit: { type: 'string', default: '200' },
  },
});

async function main(): Promise<void> {
  // A CLIP zoo (npm run zoo:clip) is scored through the CLI's CLIP path.
  if (existsSync(join(values.zoo, 'clip-base', 'config.json')))
    return printClipInterference(values.zoo, Number(values.limit));
  await initTf('wasm');
  const zoo = await loadZoo(values.zoo);
  const rows = await interferenceRows(zoo, { limit: Number(values.limit), lambdas: [0.3, 1] });
  console.log(interferenceMarkdown(zoo, rows));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
