/**
 * `npx tsx scripts/clip-zoo/catalogue-table.ts --zoo <dir> [--methods a,b] [--no-baselines]
 * [--limit N] [--work <dir>] [--json <file>]`: the demo zoo's accuracy for each method of the
 * issue-21 catalogue at its declared defaults (`parameters: {}` globally and per model), every
 * number from the project's own CLI as in table.ts: `merge` of the vision towers with
 * `merge_studio: task_specific: [text_model., text_projection., visual_projection.,
 * logit_scale]`, then `eval --json` on the zoo's test sets (500 images per task). Before them,
 * table.ts's zero-shot, individual, weight-averaging, task-arithmetic and TIES rows (the same
 * zoo, the same code), unless --no-baselines. Methods that take at most two models merge each
 * task's fine-tune alone with the base (one model) or consecutive pairs of tasks (two), each
 * merge evaluated on its own tasks only. Prints the markdown table (docs/merge.md).
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METHODS, getMethod } from '../../src/merge';
import { mergeAndEval, mergeTowers, readZoo, Zoo, type Accuracies } from './cli-zoo';
import { markdown, rowCollector, simpleRows } from './table';

/**
 * The catalogue (issue #21): the registry's whole-tensor methods (the SVD merges, PCB, EMR and
 * mergekit's newer methods), in registry order, but passthrough, which copies one model
 * unchanged (the individual fine-tunes' row).
 */
const CATALOGUE = METHODS.filter((m) => m.kind === 'tensor_method' && m.name !== 'passthrough').map(
  (m) => m.name,
);

/**
 * Global parameters a method declares without a default. nearswap's t has none (mergekit
 * requires it too); 1e-4 is the value of the model the method comes from (its paper link).
 */
const REQUIRED: Record<string, string> = { nearswap: '{ t: 0.0001 }' };

interface Options {
  zoo: string;
  methods: string[];
  baselines: boolean;
  limit?: number;
  work: string;
  json?: string;
}

/** The zoo's tasks in groups the method can merge at once (all, pairs or one at a time). */
function taskGroups(zoo: Zoo, maxModels: number | undefined): Zoo[] {
  const size = Math.min(maxModels ?? Infinity, zoo.tasks.length);
  const groups: Zoo[] = [];
  for (let i = 0; i < zoo.tasks.length; i += size)
    groups.push(new Zoo(zoo.dir, zoo.tasks.slice(i, i + size), zoo.limit, zoo.workDir));
  return groups;
}

/**
 * One merge at the declared defaults, evaluated on its tasks. A method without a base
 * (karcher) merges only the fine-tunes, which are vision towers: its output has no text side
 * to copy, so it is evaluated as the fine-tunes are, with the base's text side (`--clip`).
 */
async function mergeGroup(group: Zoo, name: string, method: string): Promise<Accuracies> {
  const params = REQUIRED[method] ?? '{}';
  const def = getMethod(method);
  if (def.needsBase || def.optionalBase) return mergeAndEval(group, name, method, params, '{}');
  const out = await mergeTowers(group, name, method, params, '{}');
  await copyFile(join(group.dir, group.tasks[0]!.folder, 'config.json'), join(out, 'config.json'));
  return group.eval(out, group.base);
}

/** One method's row: each group merged at the declared defaults and evaluated on its tasks. */
async function methodRow(zoo: Zoo, method: string): Promise<Accuracies> {
  const groups = taskGroups(zoo, getMethod(method).maxModels);
  const row: Accuracies = {};
  for (const [i, group] of groups.entries())
    Object.assign(
      row,
      await mergeGroup(group, groups.length > 1 ? `${method}-${i}` : method, method),
    );
  return row;
}

function label(method: string, zoo: Zoo): string {
  const max = getMethod(method).maxModels;
  if (max === undefined || max >= zoo.tasks.length) return method;
  return max === 1 ? `${method} (each fine-tune alone)` : `${method} (tasks in pairs)`;
}

async function catalogueTable(o: Options): Promise<void> {
  const { zoo: read } = await readZoo(o.zoo, o.limit);
  const zoo = new Zoo(read.dir, read.tasks, read.limit, o.work);
  const collector = rowCollector('catalogue');
  if (o.baselines) await simpleRows(zoo, collector);
  const failed: string[] = [];
  for (const method of o.methods) {
    collector.log(method);
    const started = performance.now();
    try {
      collector.set(label(method, zoo), await methodRow(zoo, method));
    } catch (e) {
      // One method's failure (e.g. a bad-input refusal) is a line in the output, not the end.
      const why = e instanceof Error ? e.message.split('\n').slice(-3).join(' ') : String(e);
      failed.push(`${method}: ${why}`);
    }
    collector.log(`${method}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  console.log(markdown(collector.rows, zoo.tasks).join('\n'));
  for (const f of failed) console.log(`FAILED ${f}`);
  if (o.json)
    await writeFile(o.json, `${JSON.stringify(Object.fromEntries(collector.rows), null, 2)}\n`);
}

const USAGE =
  'usage: --zoo <dir> [--methods a,b] [--no-baselines] [--limit N] [--work <dir>] [--json <file>]';

function parse(argv: readonly string[]): Options {
  const o: Options = {
    zoo: '',
    methods: CATALOGUE,
    baselines: true,
    work: join(tmpdir(), 'clip-zoo-catalogue'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-baselines') {
      o.baselines = false;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value (${USAGE})`);
    if (a === '--zoo') o.zoo = v;
    else if (a === '--methods') o.methods = v.split(',');
    else if (a === '--limit') o.limit = Number(v);
    else if (a === '--work') o.work = v;
    else if (a === '--json') o.json = v;
    else throw new Error(`unknown argument "${a}" (${USAGE})`);
  }
  if (!o.zoo) throw new Error(`--zoo <dir> is required (${USAGE})`);
  for (const m of o.methods) getMethod(m); // an unknown name fails before any merge
  return o;
}

catalogueTable(parse(process.argv.slice(2))).catch((e: unknown) => {
  console.error(`clip-zoo catalogue-table: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
