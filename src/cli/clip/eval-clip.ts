/**
 * `eval --model <folder> [--clip <CLIPModel folder>] --task <name>=<ImageFolder|parquet> ...
 * [--heads heads.safetensors] [--json]`: zero-shot accuracy of a CLIP vision tower (a fine-tune,
 * the base, a merge) on the user's own test sets, through each task's zero-shot head.
 */
import { parseArgs } from 'node:util';
import { toTensors } from '../../models';
import { evaluateClip, type TaskAccuracy } from '../../eval';
import { formatTable } from '../format';
import { CliUsageError, type CliIo } from '../types';
import { progressLine } from './progress-line';
import { setupClipEval } from './setup';
import { parseNamedPaths } from './task-args';

export const clipEvalUsage = `usage: eval --model <folder> [--clip <CLIPModel folder>] --task <name>=<data> ... [--heads <file>] [--json] [--limit N] [--batch N] [--device wasm|cpu|webgpu]
  Zero-shot accuracy of a Hugging Face CLIP checkpoint on your own test sets.
  --model   a CLIPModel, CLIPVisionModel or CLIPVisionModelWithProjection folder (a fine-tune, a merge)
  --clip    the CLIPModel folder that completes a vision-only tower (projection, logit scale, text
            tower) and whose preprocessor_config.json / tokenizer.json are used
  --task    <name>=<ImageFolder folder | .parquet file>, once per task; FusionBench task names
            (sun397, eurosat, …) use FusionBench's prompt templates, others "a photo of a {}."
  --heads   zero-shot heads saved by \`heads\` (skips the text tower)
  --json    print {"tasks": {"<name>": {"accuracy", "n", "entropy"}}} (entropy: mean nats of the
            head's softmax, what AdaMerging minimises)`;

function table(results: Map<string, TaskAccuracy>): string[] {
  const tasks = [...results.keys()];
  const values = [...results.values()];
  const avg = values.reduce((a, r) => a + r.accuracy, 0) / Math.max(values.length, 1);
  const pct = (x: number) => (100 * x).toFixed(1);
  return formatTable(
    ['model', ...tasks, 'avg'],
    [['accuracy %', ...values.map((r) => pct(r.accuracy)), pct(avg)]],
    new Set(tasks.map((_, i) => i + 1).concat(tasks.length + 1)),
  );
}

export async function runClipEval(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      clip: { type: 'string' },
      task: { type: 'string', multiple: true },
      heads: { type: 'string' },
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
      batch: { type: 'string', default: '32' },
      device: { type: 'string', default: 'wasm' },
    },
  });
  if (!values.model) throw new CliUsageError('eval with --task needs --model <folder>');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new CliUsageError('--limit must be a positive integer');
  const batchSize = Number(values.batch);
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new CliUsageError('--batch must be a positive integer');
  const setup = await setupClipEval({
    model: values.model,
    clip: values.clip,
    tasks: parseNamedPaths('task', values.task),
    heads: values.heads,
    device: values.device,
  });
  const params = toTensors(
    new Map([...setup.model.vision, ['visual_projection.weight', setup.model.projection]]),
  );
  let results: Map<string, TaskAccuracy>;
  try {
    results = await evaluateClip(
      params,
      setup.model.config,
      setup.model.logitScale,
      setup.preprocess,
      setup.tasks.map((images, k) => ({ images, head: setup.heads[k]! })),
      {
        batchSize,
        limit,
        onProgress: progressLine(io),
        onSkip: ({ name, reason }) => io.err(`skipped ${name}: ${reason}`),
      },
    );
  } finally {
    for (const t of params.values()) t.dispose();
  }
  if (values.json) {
    const tasks: Record<string, { accuracy: number; n: number; entropy: number }> = {};
    for (const [name, r] of results)
      tasks[name] = { accuracy: r.accuracy, n: r.n, entropy: r.entropy };
    io.out(JSON.stringify({ tasks }));
    return 0;
  }
  for (const line of table(results)) io.out(line);
  io.out(`zero-shot accuracy %, tfjs ${setup.device}`);
  return 0;
}
