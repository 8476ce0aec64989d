/**
 * The CLI calls the zoo's reports share (the acceptance table, the interference diagnostic):
 * every number comes from the project's own `eval` / `merge`, so it measures what a user gets.
 * Merges are of the vision towers; the text side, projections and logit scale are task
 * specific (copied from the base).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..', '..');
const SIDE_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json'];

export interface ManifestTask {
  name: string;
  folder: string;
  data: string;
}

export type Accuracies = Record<string, number>;
export type Scores = Record<string, { accuracy: number; entropy: number }>;

export async function cli(args: string[]): Promise<string> {
  const { stdout } = await run('npx', ['tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO,
    maxBuffer: 64 << 20,
  });
  return stdout;
}

export class Zoo {
  constructor(
    readonly dir: string,
    readonly tasks: ManifestTask[],
    readonly limit: number | undefined,
    /** Where merges are written (default `<zoo>/table`). */
    readonly workDir = join(dir, 'table'),
  ) {}

  get base() {
    return join(this.dir, 'clip-base');
  }

  taskArgs(only?: ManifestTask): string[] {
    return (only ? [only] : this.tasks).flatMap((t) => [
      '--task',
      `${t.name}=${join(this.dir, t.data)}`,
    ]);
  }

  limitArgs(): string[] {
    return this.limit === undefined ? [] : ['--limit', String(this.limit)];
  }

  async eval(model: string, clip: string | undefined, only?: ManifestTask): Promise<Accuracies> {
    const scores = await this.score(model, clip, only);
    return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, v.accuracy]));
  }

  /** Accuracy and mean softmax entropy per task. */
  async score(model: string, clip: string | undefined, only?: ManifestTask): Promise<Scores> {
    const out = await cli([
      'eval',
      '--model',
      model,
      ...(clip ? ['--clip', clip] : []),
      ...this.taskArgs(only),
      ...this.limitArgs(),
      '--json',
    ]);
    return (JSON.parse(out) as { tasks: Scores }).tasks;
  }
}

/**
 * A CLI merge of the vision towers into `<zoo.workDir>/<name>` (the rest of the CLIPModel copied
 * from the base); `perModel` is each fine-tune's `parameters:` (one string for all, or per task).
 */
export async function mergeTowers(
  zoo: Zoo,
  name: string,
  method: string,
  params: string,
  perModel: string | ((task: ManifestTask, index: number) => string),
): Promise<string> {
  const work = zoo.workDir;
  await mkdir(work, { recursive: true });
  const parametersOf = typeof perModel === 'string' ? () => perModel : perModel;
  const recipe = [
    `merge_method: ${method}`,
    `base_model: ${zoo.base}`,
    'models:',
    ...zoo.tasks.map(
      (t, i) => `  - model: ${join(zoo.dir, t.folder)}\n    parameters: ${parametersOf(t, i)}`,
    ),
    `parameters: ${params}`,
    'merge_studio:',
    '  task_specific: [text_model., text_projection., visual_projection., logit_scale]',
    '',
  ].join('\n');
  const recipePath = join(work, `${name}.yml`);
  const out = join(work, name);
  await writeFile(recipePath, recipe);
  await cli(['merge', '--config', recipePath, '--out', out, '--device', 'cpu']);
  for (const f of SIDE_FILES) await copyFile(join(zoo.base, f), join(out, f));
  return out;
}

export async function mergeAndEval(
  zoo: Zoo,
  name: string,
  method: string,
  params: string,
  perModel: string,
): Promise<Accuracies> {
  return zoo.eval(await mergeTowers(zoo, name, method, params, perModel), undefined);
}

/** The zoo's manifest.json: its tasks (name, fine-tune folder, data folder) and plan. */
export async function readZoo(dir: string, limit?: number) {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    tasks: ManifestTask[];
    plan: { testPerTask: number };
  };
  return { zoo: new Zoo(resolve(dir), manifest.tasks, limit), manifest };
}
