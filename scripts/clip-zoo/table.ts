/**
 * `npx tsx scripts/clip-zoo/table.ts --zoo <dir> [--steps 500] [--limit N] [--json <file>]`:
 * the issue-17 acceptance table of a built CLIP zoo, every number from the project's own CLI
 * (so it measures what a user gets): zero-shot (the base + heads from class names), individual
 * fine-tunes, weight averaging (task arithmetic with λ = 1/T, which is the mean of the
 * fine-tunes), task arithmetic λ = 0.3, TIES (FusionBench form: model-scope top 20%, majority zero
 * sign, disjoint sum, λ = 0.3), and
 * task-/layer-wise AdaMerging and AdaMerging++ (`adamerge`, 500 steps as the paper). Merges go
 * through `merge` with the text side, projections and logit scale task-specific (copied from
 * the base), then `eval --json`. Prints the table and the acceptance checks.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cli,
  mergeAndEval,
  readZoo,
  type Accuracies,
  type ManifestTask,
  type Zoo,
} from './cli-zoo';

interface Options {
  zoo: string;
  steps: number;
  limit?: number;
  json?: string;
}

/** The AdaMerging row of `adamerge`'s printed table (numbers in percent, tasks in --finetune order). */
function adamergingRow(stdout: string, tasks: readonly ManifestTask[]): Accuracies {
  const line = stdout.split('\n').find((l) => /AdaMerging\S* (task|layer)-wise/.test(l));
  if (!line) throw new Error(`adamerge printed no AdaMerging row:\n${stdout}`);
  const numbers = [
    ...line.replace(/AdaMerging\S* (task|layer)-wise/, '').matchAll(/-?\d+(\.\d+)?/g),
  ].map((m) => Number(m[0]) / 100);
  return Object.fromEntries(tasks.map((t, i) => [t.name, numbers[i]!]));
}

async function adamerging(
  zoo: Zoo,
  mode: 'task' | 'layer',
  plus: boolean,
  steps: number,
  images: number,
) {
  const out = await cli([
    'adamerge',
    '--base',
    zoo.base,
    ...zoo.tasks.flatMap((t) => ['--finetune', `${t.name}=${join(zoo.dir, t.folder)}`]),
    ...zoo.taskArgs(),
    '--mode',
    mode,
    ...(plus ? ['--plus'] : []),
    '--steps',
    String(steps),
    '--images',
    String(images),
    ...zoo.limitArgs(),
  ]);
  return adamergingRow(out, zoo.tasks);
}

export const mean = (a: Accuracies) => {
  const v = Object.values(a);
  return v.reduce((s, x) => s + x, 0) / v.length;
};

function checks(rows: Map<string, Accuracies>): string[] {
  const avg = (k: string) => 100 * mean(rows.get(k)!);
  const individual = rows.get('individual')!;
  const ta = avg('task arithmetic (λ=0.3)');
  const lines: [string, boolean][] = [
    ['individual fine-tunes average ≥ 85', avg('individual') >= 85],
    ['each individual fine-tune ≥ 75', Object.values(individual).every((a) => a >= 0.75)],
    ['zero-shot ≤ task arithmetic − 5', avg('zero-shot') <= ta - 5],
    ['weight averaging < task arithmetic', avg('weight averaging') < ta],
    ['TIES ≥ task arithmetic', avg('TIES') >= ta],
    ['task-wise AdaMerging ≥ task arithmetic', avg('AdaMerging task-wise') >= ta],
    ['layer-wise AdaMerging ≥ task arithmetic + 5', avg('AdaMerging layer-wise') >= ta + 5],
    ['layer-wise AdaMerging ≥ TIES', avg('AdaMerging layer-wise') >= avg('TIES')],
  ];
  return lines.map(([what, ok]) => `${ok ? 'PASS' : 'FAIL'}  ${what}`);
}

export function markdown(rows: Map<string, Accuracies>, tasks: readonly ManifestTask[]): string[] {
  const pct = (x: number | undefined) => (x === undefined ? '-' : (100 * x).toFixed(1));
  const head = `| method | ${tasks.map((t) => t.name).join(' | ')} | avg |`;
  const rule = `|${' --- |'.repeat(tasks.length + 2)}`;
  const body = [...rows].map(
    ([label, acc]) =>
      `| ${label} | ${tasks.map((t) => pct(acc[t.name])).join(' | ')} | ${pct(mean(acc))} |`,
  );
  return [head, rule, ...body];
}

/**
 * The rows' collector: each row is logged (to stderr, with the prefix) as soon as it is
 * measured, so an interrupted run still leaves numbers.
 */
export function rowCollector(prefix: string) {
  const rows = new Map<string, Accuracies>();
  const log = (line: string) => console.error(`${prefix}: ${line}`);
  const set = (label: string, acc: Accuracies) => {
    rows.set(label, acc);
    const pct = Object.entries(acc).map(([k, v]) => `${k} ${(100 * v).toFixed(1)}`);
    log(`${label}: ${pct.join(', ')}; avg ${(100 * mean(acc)).toFixed(1)}`);
  };
  return { rows, log, set };
}

/** Zero-shot, individual fine-tunes, weight averaging, task arithmetic and TIES. */
export async function simpleRows(zoo: Zoo, { log, set }: ReturnType<typeof rowCollector>) {
  log('zero-shot');
  set('zero-shot', await zoo.eval(zoo.base, undefined));
  log('individual');
  const individual: Accuracies = {};
  for (const t of zoo.tasks)
    Object.assign(individual, await zoo.eval(join(zoo.dir, t.folder), zoo.base, t));
  set('individual', individual);
  const T = zoo.tasks.length;
  log('weight averaging');
  set(
    'weight averaging',
    await mergeAndEval(
      zoo,
      'weight-averaging',
      'task_arithmetic',
      `{ lambda: ${1 / T} }`,
      '{ weight: 1 }',
    ),
  );
  log('task arithmetic');
  set(
    'task arithmetic (λ=0.3)',
    await mergeAndEval(
      zoo,
      'task-arithmetic',
      'task_arithmetic',
      '{ lambda: 0.3 }',
      '{ weight: 1 }',
    ),
  );
  log('TIES');
  set(
    'TIES',
    await mergeAndEval(
      zoo,
      'ties',
      'ties',
      // FusionBench's form (src/eval/simple-merge.ts): top 20% over the whole tower, an exact
      // 0 takes the majority sign, agreeing entries summed (not averaged), λ = 0.3.
      '{ normalize: false, lambda: 0.3, density: 0.2, trim_scope: model, zero_sign: majority, disjoint: sum }',
      '{ weight: 1 }',
    ),
  );
}

export async function clipZooTable(options: Options): Promise<Map<string, Accuracies>> {
  const { zoo, manifest } = await readZoo(options.zoo, options.limit);
  const collector = rowCollector('table');
  const { rows, log, set } = collector;
  await simpleRows(zoo, collector);
  const images = manifest.plan.testPerTask;
  for (const mode of ['task', 'layer'] as const) {
    for (const plus of [false, true]) {
      const label = `AdaMerging${plus ? '++' : ''} ${mode}-wise`;
      log(label);
      set(label, await adamerging(zoo, mode, plus, options.steps, images));
    }
  }
  console.log([...markdown(rows, zoo.tasks), '', ...checks(rows)].join('\n'));
  if (options.json)
    await writeFile(options.json, `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
  return rows;
}

function parse(argv: readonly string[]): Options {
  const o: Options = { zoo: '', steps: 500 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--zoo') o.zoo = v;
    else if (a === '--steps') o.steps = Number(v);
    else if (a === '--limit') o.limit = Number(v);
    else if (a === '--json') o.json = v;
    else
      throw new Error(
        `unknown argument "${a}" (usage: --zoo <dir> [--steps 500] [--limit N] [--json <file>])`,
      );
  }
  if (!o.zoo) throw new Error('--zoo <dir> is required');
  return o;
}

// Not catalogue-table.ts, which imports this file.
if (/(^|[\\/])table\.ts$/.test(process.argv[1] ?? '')) {
  clipZooTable(parse(process.argv.slice(2))).catch((e: unknown) => {
    console.error(`clip-zoo table: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
