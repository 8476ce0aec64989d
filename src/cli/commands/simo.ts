/**
 * `simo --pool <manifest.json> --method ties|task_arithmetic [--fix heads|representation|both|none]
 * [--val 0.05] [--json]`: SIMO on a dense pool (npm run simo:build): the ΔMTL table of the
 * single-task models, the joint baseline, the merge and the re-aligned merges.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FitCancelledError,
  readSimoPool,
  runSimo,
  simoMerge,
  simoRelationship,
  SimoInputError,
  SimoPoolReadError,
  type LoadedSimoPool,
  type SimoFix,
  type SimoRow,
} from '../../adapt';
import {
  DENSE_METRIC_COLUMNS,
  formatDenseMetric,
  type DenseMetricName,
  type ZooMerge,
} from '../../eval';
import { SafetensorsError } from '../../io';
import { DenseConfigError, DensePoolError, SimoManifestError } from '../../models';
import { initTf, parseTfDevice } from '../../tf';
import { formatTable } from '../format';
import { CliUsageError, type CliIo, type Command, type CommandContext } from '../types';

const usage = `usage: simo --pool <manifest.json> --method ties|task_arithmetic [--fix heads|representation|both|none] [--val 0.05] [--json]
  Merges the encoders of a dense multi-task pool (decoders kept per task), re-aligns the merge on
  a small labelled validation set and prints each task's test metrics and ΔMTL (%) against the
  single-task models, next to the joint multi-task baseline.
  --fix        heads: fine-tune each decoder on the frozen merged encoder's features;
               representation: rank-r adapters after every block + decoders, mean task loss;
               both (default): a row for each; none: the plain merge only
  --val        validation images as a fraction of the pool's training set (default 0.05)
  --lambda     task arithmetic λ (default 0.3) or TIES λ (default 1)
  --density    TIES density (default 0.2)
  --steps      steps per fix (default 300)
  --lr         peak learning rate of the one-cycle schedule (default 3e-3)
  --rank       adapter rank (default 16)
  --limit      only the first N test scenes
  --relations  also print the task-relationship matrix (ΔMTL of every pairwise merge)
  --json       one JSON object instead of the table
  --device     wasm (default) or cpu`;

function numberArg(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min)
    throw new CliUsageError(`--${name} must be a number ≥ ${min}`);
  return v;
}

function mergeOf(
  method: string | undefined,
  lambda: string | undefined,
  density: string | undefined,
): { merge: ZooMerge; label: string } {
  if (method === 'task_arithmetic') return simoMerge(method, numberArg('lambda', lambda, 0.3));
  if (method === 'ties')
    return simoMerge(method, numberArg('lambda', lambda, 1), numberArg('density', density, 0.2));
  throw new CliUsageError('simo needs --method ties or --method task_arithmetic');
}

export async function loadSimoPool(manifestPath: string): Promise<LoadedSimoPool> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new CliUsageError(`${manifestPath}: cannot read the pool manifest`);
  }
  const dir = dirname(manifestPath);
  // Messages name files as the manifest lists them.
  return readSimoPool(text, manifestPath, async (file, role) => {
    const path = join(dir, file);
    try {
      return new Uint8Array(await readFile(path));
    } catch {
      throw new CliUsageError(`${path}: cannot read ${role}`);
    }
  });
}

export function simoTable(rows: SimoRow[], pool: LoadedSimoPool): string[] {
  const columns: { head: string; task: string; metric: DenseMetricName }[] = [];
  for (const t of pool.manifest.config.tasks)
    for (const [head, metric] of DENSE_METRIC_COLUMNS)
      if (rows[0]?.metrics[t.name]?.[metric] !== undefined)
        columns.push({ head: `${t.name} ${head}`, task: t.name, metric });
  return formatTable(
    ['model', ...columns.map((c) => c.head), 'ΔMTL %'],
    rows.map((r) => [
      r.name,
      ...columns.map((c) => formatDenseMetric(r.metrics[c.task]?.[c.metric], c.metric)),
      r.delta.toFixed(1),
    ]),
    new Set(columns.map((_, i) => i + 1).concat(columns.length + 1)),
  );
}

async function simo(args: string[], io: CliIo, context?: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      pool: { type: 'string' },
      method: { type: 'string' },
      fix: { type: 'string', default: 'both' },
      val: { type: 'string' },
      lambda: { type: 'string' },
      density: { type: 'string' },
      steps: { type: 'string' },
      lr: { type: 'string' },
      rank: { type: 'string' },
      limit: { type: 'string' },
      relations: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      device: { type: 'string', default: 'wasm' },
    },
  });
  if (!values.pool) throw new CliUsageError('simo needs --pool <manifest.json> (see --help)');
  const { merge, label } = mergeOf(values.method, values.lambda, values.density);
  const fix = values.fix as SimoFix;
  if (!['heads', 'representation', 'both', 'none'].includes(fix))
    throw new CliUsageError('--fix must be heads, representation, both or none');
  const valFraction = numberArg('val', values.val, 0.05);
  if (valFraction > 1) throw new CliUsageError('--val must be a fraction in [0, 1]');
  const steps = Math.round(numberArg('steps', values.steps, 300, 1));
  const rank = Math.round(numberArg('rank', values.rank, 16, 1));
  const limit =
    values.limit === undefined ? undefined : Math.round(numberArg('limit', values.limit, 0, 1));
  let device;
  try {
    device = parseTfDevice(values.device);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  if (device === 'webgpu') throw new CliUsageError('simo runs on wasm or cpu for now');
  const used = await initTf(device);
  const pool = await loadSimoPool(values.pool);
  io.err(
    `simo: ${pool.manifest.config.tasks.map((t) => t.name).join(', ')}; ${label}; fix ${fix}; tfjs ${used}`,
  );
  const rows = await runSimo(pool, {
    merge,
    mergeLabel: label,
    fix,
    valFraction,
    steps,
    rank,
    peakLr: values.lr === undefined ? undefined : numberArg('lr', values.lr, 3e-3),
    testLimit: limit,
    signal: context?.signal,
    onLoss: (task, step, loss) => {
      if ((step + 1) % 100 === 0) io.err(`  ${task} step ${step + 1}: loss ${loss.toFixed(4)}`);
    },
  });
  const relations = values.relations ? await simoRelationship(pool, merge, limit) : undefined;
  if (values.json) {
    io.out(
      JSON.stringify({
        method: label,
        fix,
        valFraction,
        steps,
        rank,
        device: used,
        rows,
        relations,
      }),
    );
    return 0;
  }
  for (const line of simoTable(rows, pool)) io.out(line);
  for (const r of rows.filter((x) => x.seconds !== undefined))
    io.out(`${r.name}: ${r.seconds!.toFixed(1)} s on tfjs ${used}`);
  if (relations) {
    io.out('task relationship (ΔMTL % of each pairwise merge):');
    const m = relations.matrix;
    for (const line of formatTable(
      ['', ...relations.tasks],
      relations.tasks.map((t, i) => [t, ...m[i]!.map((v) => v.toFixed(1))]),
      new Set(relations.tasks.map((_, i) => i + 1)),
    ))
      io.out(line);
  }
  return 0;
}

export const simoCommand: Command = {
  summary: 'SIMO: merge a dense multi-task pool and re-align heads / representations (ΔMTL table)',
  usage,
  cancellable: true,
  async run(args, io, context) {
    try {
      return await simo(args, io, context);
    } catch (e) {
      if (e instanceof FitCancelledError) {
        io.err(`simo: ${e.message}`);
        return 130;
      }
      if (
        e instanceof SimoInputError ||
        e instanceof SimoPoolReadError ||
        e instanceof DensePoolError ||
        e instanceof SimoManifestError ||
        e instanceof DenseConfigError ||
        e instanceof SafetensorsError ||
        e instanceof RangeError
      )
        throw new CliUsageError(e.message);
      throw e;
    }
  },
};
