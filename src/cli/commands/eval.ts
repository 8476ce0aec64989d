/**
 * `cli eval --pool public/zoo/manifest.json [--model merged.safetensors] [--limit N]
 * [--device wasm|cpu|webgpu]`: per-task accuracy table with the average. Without --model it
 * evaluates each fine-tune on its own task and the base through each task's head; with --model it
 * evaluates that checkpoint's encoder through each task's own head.
 */
import { loadZoo } from '../../zoo/load';
import {
  evaluateEncoder,
  evaluateIndividuals,
  encoderOf,
  type TableRow,
} from '../../eval/zoo-table';
import { readEncoder } from '../../eval/load-merged';
import { nodeFileSource } from '../../io/node/file-source';
import { initTf, parseTfDevice } from '../../tf/backend';
import { nodeGpu } from '../../gpu/node-gpu';

export const EVAL_USAGE =
  'eval --pool <manifest.json | zoo folder> [--model <checkpoint.safetensors>] [--limit N] [--device wasm|cpu|webgpu]';

function option(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  return value;
}

export function formatTable(rows: TableRow[], tasks: string[]): string {
  const width = Math.max(...rows.map((r) => r.method.length), 6);
  const cols = tasks.map((t) => Math.max(t.length, 5));
  const header = [
    'method'.padEnd(width),
    ...tasks.map((t, i) => t.padStart(cols[i]!)),
    'avg'.padStart(5),
  ].join('  ');
  const lines = rows.map((r) =>
    [
      r.method.padEnd(width),
      ...tasks.map((t, i) =>
        (r.perTask[t] === undefined ? '-' : (100 * r.perTask[t]!).toFixed(1)).padStart(cols[i]!),
      ),
      (100 * r.average).toFixed(1).padStart(5),
    ].join('  '),
  );
  return [header, ...lines].join('\n');
}

/** Returns the process exit code. */
export async function runEval(
  argv: string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const pool = option(argv, '--pool');
  if (!pool) throw new Error(`missing --pool; usage: ${EVAL_USAGE}`);
  const model = option(argv, '--model');
  const limitText = option(argv, '--limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new Error('--limit must be a positive integer');
  const device = parseTfDevice(option(argv, '--device') ?? 'wasm');
  const used = await initTf(device, { gpu: device === 'webgpu' ? await nodeGpu() : null });

  const zoo = await loadZoo(pool);
  const tasks = zoo.manifest.tasks.map((t) => t.name);
  const rows: TableRow[] = [];
  if (model) {
    const source = await nodeFileSource(model);
    try {
      const encoder = await readEncoder(source, zoo.manifest.model.config);
      rows.push(await evaluateEncoder(model, encoder, zoo, { limit }));
    } finally {
      await source.close();
    }
  } else {
    rows.push(await evaluateIndividuals(zoo, { limit }));
    rows.push(
      await evaluateEncoder(
        'Base + task heads',
        encoderOf(zoo.base, zoo.manifest.headPrefix),
        zoo,
        { limit },
      ),
    );
  }
  out(formatTable(rows, tasks));
  out(`(accuracy %, ${limit ?? 'all'} test images per task, tfjs ${used})`);
  return 0;
}
