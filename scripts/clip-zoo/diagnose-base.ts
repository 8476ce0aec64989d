/**
 * `npx tsx scripts/clip-zoo/diagnose-base.ts <zoo>/clip-base`: is the pretrained text tower
 * telling the classes apart? Prints the learnt logit scale and, per task, the mean and largest
 * cosine between its class-name heads (as the fine-tunes and `eval` build them). Heads of one
 * task near cosine 1 mean zero-shot is at chance and a fine-tune has nothing to separate under
 * them: pretrain longer before fine-tuning (docs/zoo-v2.md).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadFashion, loadMnist } from '../../src/data/sources-node';
import { loadClipTokenizer, templatesFor } from '../../src/data/text/index';
import { buildZeroShotHeads, readClipModel, type ZeroShotHead } from '../../src/eval/clip/index';
import { openCheckpointPath } from '../../src/io/node';
import { zooTasks } from './domains/tasks';

function cosines(h: ZeroShotHead): { mean: number; max: number } {
  const k = h.classNames.length;
  let sum = 0;
  let max = -1;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      let d = 0;
      for (let c = 0; c < h.dim; c++) d += h.weight[i * h.dim + c]! * h.weight[j * h.dim + c]!;
      sum += d;
      max = Math.max(max, d);
    }
  }
  return { mean: sum / ((k * (k - 1)) / 2), max };
}

async function main(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const model = await readClipModel(await openCheckpointPath(dir), undefined, { text: true });
  const tokenizer = loadClipTokenizer(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
  console.log(
    `logit scale: exp(${model.logitScale.toFixed(3)}) = ${Math.exp(model.logitScale).toFixed(2)}`,
  );
  const tasks = zooTasks({ mnist: loadMnist, fashion: loadFashion });
  const heads = await buildZeroShotHeads(
    model,
    tokenizer,
    tasks.map((t) => ({ task: t.name, classNames: t.classNames, templates: templatesFor(t.name) })),
  );
  for (const h of heads) {
    const { mean, max } = cosines(h);
    console.log(`${h.task}: head cosine mean ${mean.toFixed(3)}, max ${max.toFixed(3)}`);
  }
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx scripts/clip-zoo/diagnose-base.ts <zoo>/clip-base');
  process.exit(1);
}
await main(dir);
