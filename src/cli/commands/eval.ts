/**
 * `eval --pool public/zoo/manifest.json [--model merged.safetensors] [--limit N]
 * [--device wasm|cpu|webgpu]`: per-task accuracy table with the average.
 */
import { parseArgs } from 'node:util';
import { loadZoo, ZooFormatError } from '../../zoo';
import {
  evaluateEncoder,
  evaluateIndividuals,
  evaluateWithModulators,
  encoderOf,
  readEncoder,
  type TableRow,
} from '../../eval';
import { nodeFileSource } from '../../io/node';
import { initTf, parseTfDevice } from '../../tf';
import { nodeGpu } from '../../gpu/node-gpu';
import { formatTable } from '../format';
import { CliUsageError, type Command } from '../types';
import { clipEvalUsage, runClipEval } from '../clip/eval-clip';
import { clipRoute } from '../clip/errors';

const usage = `usage: eval --pool <manifest.json | zoo folder> [--model <checkpoint.safetensors> [--modulators <emr_modulators.safetensors>]] [--limit N] [--device wasm|cpu|webgpu]
  Per-task accuracy on the zoo's test sets, with the average.
  Without --model: each fine-tune on its own task, and the base through each task's head.
  --model   evaluate this checkpoint's encoder (e.g. a merge) through each task's own head
  --modulators  EMR: evaluate each task with its own modulated model θ₀ + λₜ·mₜ⊙(model − θ₀)
            (the file merge --modulators writes; tasks matched by their checkpoints' file names)
  --limit   only the first N test images of each task
  --device  tfjs backend (default wasm; webgpu uses Dawn in Node when available)`;

function rowsToTable(rows: TableRow[], tasks: string[]): string[] {
  const pct = (x: number | undefined) => (x === undefined ? '-' : (100 * x).toFixed(1));
  return formatTable(
    ['method', ...tasks, 'avg'],
    rows.map((r) => [r.method, ...tasks.map((t) => pct(r.perTask[t])), pct(r.average)]),
    new Set(tasks.map((_, i) => i + 1).concat(tasks.length + 1)),
  );
}

async function evaluate(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      pool: { type: 'string' },
      model: { type: 'string' },
      modulators: { type: 'string' },
      limit: { type: 'string' },
      device: { type: 'string', default: 'wasm' },
    },
  });
  if (!values.pool) throw new CliUsageError('eval needs --pool <manifest.json> (see eval --help)');
  if (values.modulators && !values.model)
    throw new CliUsageError('--modulators needs --model <the EMR merge it belongs to>');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new CliUsageError('--limit must be a positive integer');
  let device;
  try {
    device = parseTfDevice(values.device);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  const used = await initTf(device, { gpu: device === 'webgpu' ? await nodeGpu() : null });

  const zoo = await loadZoo(values.pool);
  const tasks = zoo.manifest.tasks.map((t) => t.name);
  const rows: TableRow[] = [];
  if (values.model) {
    const source = await nodeFileSource(values.model);
    try {
      const encoder = await readEncoder(source, zoo.manifest.model.config);
      if (values.modulators) {
        const mods = await nodeFileSource(values.modulators);
        try {
          const name = `${values.model} + EMR modulators`;
          rows.push(await evaluateWithModulators(name, encoder, mods, zoo, { limit }));
        } finally {
          await mods.close();
        }
      } else rows.push(await evaluateEncoder(values.model, encoder, zoo, { limit }));
    } finally {
      await source.close();
    }
  } else {
    rows.push(await evaluateIndividuals(zoo, { limit }));
    rows.push(
      await evaluateEncoder(
        'base + task heads',
        encoderOf(zoo.base, zoo.manifest.headPrefix),
        zoo,
        { limit },
      ),
    );
  }
  for (const line of rowsToTable(rows, tasks)) out(line);
  out(`accuracy %, ${limit ?? 'all'} test images per task, tfjs ${used}`);
  return 0;
}

export const evalCommand: Command = {
  summary:
    'per-task accuracy: a CLIP checkpoint on your own test sets (--model --task), or the demo zoo (--pool)',
  usage: `${clipEvalUsage}\n\n${usage}`,
  async run(args, io) {
    try {
      // Your own CLIP models and data; --pool keeps the demo zoo's table.
      if (args.some((a) => a === '--task' || a.startsWith('--task=')))
        return await clipRoute(() => runClipEval(args, io));
      return await evaluate(args, io.out);
    } catch (e) {
      // Zoo files the user pointed at are user input: report them like other bad input.
      if (e instanceof ZooFormatError) throw new CliUsageError(e.message);
      throw e;
    }
  },
};
