/**
 * `npm run zoo`: trains the demo zoo from real data, reproducibly from a seed, and writes
 * public/zoo/ (checkpoints, test sets, manifest). Flags: --seed N, --out DIR, --jobs N (parallel
 * fine-tune processes), --base-steps, --ft-steps, --base-batch, --ft-batch, --test-count,
 * --probe-steps, --probe-lr, --ft-lr, --resume (keep checkpoints already built in --out),
 * --head linear|cosine and --logit-scale S (the heads' type, for the base's pretraining head, the
 * probes and the fine-tunes alike; default linear: see VitConfig.head), --task-steps
 * name=N[,name=N] (a task's fine-tune steps, overriding SCHEDULE's multiple of --ft-steps: e.g.
 * `fashion=4500` halves the build's critical path for a quick experiment).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { initTf } from '../../src/tf/backend';
import { PIXELS } from '../../src/data/images';
import { Rng } from '../../src/data/prng';
import {
  TASKS,
  makeExamples,
  taskByName,
  type SourceSet,
  type TaskSpec,
} from '../../src/data/tasks';
import { PRETRAIN_CLASSES, PRETRAIN_HEAD, makePretrainBatch } from '../../src/data/pretrain';
import { loadFashion, loadMnist, type Split } from '../../src/data/sources-node';
import {
  DEFAULT_LOGIT_SCALE,
  DEFAULT_VIT_CONFIG,
  HEAD_PREFIX,
  HEAD_TYPES,
  type HeadType,
  type VitConfig,
  headBiasName,
  headWeightName,
  isHeadTensor,
} from '../../src/models/vit-config';
import { initEncoder, initHead } from '../../src/models/init';
import { toTensors, type NamedArray } from '../../src/models/tensors';
import { train } from '../../src/zoo/train';
import { paramsFromBytes, paramsToBytes } from '../../src/merge';
import { ZOO_FORMAT, ZOO_VERSION, type ZooManifest, type ZooTask } from '../../src/zoo/manifest';
import { accuracy } from '../../src/eval/accuracy';
import { PROVENANCE } from '../../src/zoo/provenance';

interface BuildOptions {
  seed: number;
  out: string;
  jobs: number;
  baseSteps: number;
  ftSteps: number;
  baseBatch: number;
  ftBatch: number;
  testCount: number;
  baseLr: number;
  ftLr: number;
  probeSteps: number;
  probeLr: number;
  /** Fine-tune steps of named tasks, overriding {@link SCHEDULE} (--task-steps). */
  taskSteps: Record<string, number>;
  config: VitConfig;
  tasks: TaskSpec[];
}

/**
 * Per-task schedule relative to --ft-steps / --ft-lr. Harder tasks train longer and faster:
 * Fashion-MNIST's ten classes, and rotated+inverted MNIST, which the rotation-pretrained base
 * reads worst (its linear probe is the weakest), stay below 90% at the default schedule.
 * Fashion-MNIST needs the most: 3,000 steps gave 83.6%, 4,500 at 1.5× lr 84.8%, 9,000 at 1.5×
 * lr 86.0%. Its lane is the build's critical path (`--jobs 2`: ≈ 9,000 steps against the
 * other seven tasks' ≈ 8,200 step-equivalents), so it is no longer than it must be.
 */
const SCHEDULE: Record<string, { steps: number; lr: number }> = {
  fashion: { steps: 9, lr: 1.5 },
  mnist_rot_inv: { steps: 1.5, lr: 1.5 },
};

function parseTaskSteps(spec: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec ? spec.split(',') : []) {
    const [name = '', steps = ''] = part.split('=');
    taskByName(name); // throws on an unknown task
    const n = Number(steps);
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`--task-steps ${part}: steps must be a positive integer`);
    out[name] = n;
  }
  return out;
}

function parseArgs(argv: string[]): BuildOptions & { worker?: string } {
  const get = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v)) throw new Error(`${flag} needs a number`);
    return v;
  };
  const text = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i < 0 ? undefined : argv[i + 1];
  };
  const head = text('--head') ?? 'linear';
  if (!HEAD_TYPES.includes(head as HeadType))
    throw new Error(`--head must be one of ${HEAD_TYPES.join(', ')}`);
  if (argv.includes('--logit-scale') && head !== 'cosine')
    throw new Error('--logit-scale needs --head cosine');
  // A linear zoo's config stays exactly as before (no head fields): its manifest is unchanged.
  const headConfig: Partial<VitConfig> =
    head === 'cosine'
      ? { head: 'cosine', logitScale: get('--logit-scale', DEFAULT_LOGIT_SCALE) }
      : {};
  const outIndex = argv.indexOf('--out');
  const workerIndex = argv.indexOf('--worker');
  return {
    seed: get('--seed', 2024),
    out: resolve(outIndex >= 0 ? (argv[outIndex + 1] ?? 'public/zoo') : 'public/zoo'),
    // One fine-tune process per core: a third process on two cores slows the critical path.
    jobs: get('--jobs', availableParallelism()),
    baseSteps: get('--base-steps', 1000),
    ftSteps: get('--ft-steps', 1000),
    baseBatch: get('--base-batch', 64),
    ftBatch: get('--ft-batch', 32),
    testCount: get('--test-count', 500),
    baseLr: get('--base-lr', 2e-3),
    ftLr: get('--ft-lr', 1e-3),
    probeSteps: get('--probe-steps', 300),
    probeLr: get('--probe-lr', 1e-2),
    taskSteps: parseTaskSteps(text('--task-steps')),
    worker: workerIndex >= 0 ? argv[workerIndex + 1] : undefined,
    config: {
      ...DEFAULT_VIT_CONFIG,
      patchSize: get('--patch', DEFAULT_VIT_CONFIG.patchSize),
      dim: get('--dim', DEFAULT_VIT_CONFIG.dim),
      depth: get('--depth', DEFAULT_VIT_CONFIG.depth),
      heads: get('--heads', DEFAULT_VIT_CONFIG.heads),
      mlpDim: get('--mlp', DEFAULT_VIT_CONFIG.mlpDim),
      ...headConfig,
    },
    tasks: argv.includes('--tasks')
      ? (argv[argv.indexOf('--tasks') + 1] ?? '').split(',').map(taskByName)
      : [...TASKS],
  };
}

const log = (msg: string): void =>
  console.log(`[zoo ${new Date().toISOString().slice(11, 19)}] ${msg}`);

function sourcesFor(kinds: Iterable<string>, split: Split): SourceSet {
  const sources: SourceSet = {};
  for (const kind of kinds) {
    if (kind === 'mnist') sources.mnist = loadMnist(split);
    if (kind === 'fashion') sources.fashion = loadFashion(split);
  }
  return sources;
}

/** Written and read back by src/io's safetensors writer and reader (through src/merge). */
async function writeCheckpoint(
  file: string,
  tensors: Map<string, NamedArray>,
  metadata: Record<string, string>,
): Promise<void> {
  writeFileSync(file, await paramsToBytes(tensors, metadata));
}

function readCheckpoint(file: string): Promise<Map<string, NamedArray>> {
  return paramsFromBytes(new Uint8Array(readFileSync(file)), file);
}

async function pretrainBase(o: BuildOptions): Promise<Map<string, NamedArray>> {
  const sources = sourcesFor(['mnist', 'fashion'], 'train');
  const rng = new Rng(o.seed, 'pretrain');
  const initial = new Map([
    ...initEncoder(o.config, o.seed),
    ...initHead(o.config, PRETRAIN_HEAD, PRETRAIN_CLASSES.length, o.seed + 1),
  ]);
  return train({
    config: o.config,
    initial,
    head: PRETRAIN_HEAD,
    numClasses: PRETRAIN_CLASSES.length,
    steps: o.baseSteps,
    batch: () => makePretrainBatch(sources, o.baseBatch, rng),
    peakLr: o.baseLr,
    warmupSteps: 100,
    onLog: (step, loss) => log(`base step ${step}/${o.baseSteps} loss ${loss.toFixed(4)}`),
  });
}

function taskSteps(task: TaskSpec, o: BuildOptions): number {
  return o.taskSteps[task.name] ?? Math.round(o.ftSteps * (SCHEDULE[task.name]?.steps ?? 1));
}

function taskLr(task: TaskSpec, o: BuildOptions): number {
  return o.ftLr * (SCHEDULE[task.name]?.lr ?? 1);
}

/**
 * One task's checkpoint, as in the task-arithmetic / AdaMerging papers: the head is fixed while
 * the whole encoder is fine-tuned from the base. Their heads are CLIP's zero-shot heads, which
 * already read the base's features; ours are the closest thing without text: a linear probe
 * fitted on the frozen base (stage 1). Stage 2 fine-tunes the encoder under that frozen head.
 * Why: with a head that reads the base's features, a merged encoder (near the base) still speaks
 * each head's language, so merging degrades gracefully and lower prediction entropy goes with
 * higher accuracy — the premise of AdaMerging. A head trained jointly with the encoder reads
 * only its own fine-tune's features, and merges become confidently wrong.
 */
async function fineTune(
  task: TaskSpec,
  base: Map<string, NamedArray>,
  o: BuildOptions,
): Promise<Map<string, NamedArray>> {
  const sources = sourcesFor([task.source], 'train');
  const rng = new Rng(o.seed, `finetune:${task.name}`);
  const encoder = new Map([...base].filter(([name]) => !isHeadTensor(name)));
  const headSeed = new Rng(o.seed, `head:${task.name}`).int(2 ** 31);
  const initial = new Map([
    ...encoder,
    ...initHead(o.config, task.name, task.classNames.length, headSeed),
  ]);
  const common = {
    config: o.config,
    head: task.name,
    numClasses: task.classNames.length,
    batch: () => makeExamples(task, sources, o.ftBatch, rng),
  };
  const probed = await train({
    ...common,
    initial,
    trainable: isHeadTensor,
    steps: o.probeSteps,
    peakLr: o.probeLr,
    warmupSteps: 20,
    onLog: (step, loss) =>
      log(`${task.name} probe step ${step}/${o.probeSteps} loss ${loss.toFixed(4)}`),
  });
  const steps = taskSteps(task, o);
  return train({
    ...common,
    initial: probed,
    trainable: (name) => !isHeadTensor(name),
    steps,
    peakLr: taskLr(task, o),
    warmupSteps: 50,
    onLog: (step, loss) => log(`${task.name} step ${step}/${steps} loss ${loss.toFixed(4)}`),
  });
}

/** A fixed, seeded test set drawn from the source's test split: pixels then labels. */
function buildTestSet(task: TaskSpec, o: BuildOptions): Uint8Array {
  const sources = sourcesFor([task.source], 'test');
  const source = task.source === 'procedural' ? undefined : sources[task.source];
  const order = source
    ? new Rng(o.seed, `test-order:${task.name}`).shuffle([...Array(source.count).keys()])
    : undefined;
  const set = makeExamples(task, sources, o.testCount, new Rng(o.seed, `test:${task.name}`), order);
  const bytes = new Uint8Array(set.count * (PIXELS + 1));
  bytes.set(set.pixels, 0);
  bytes.set(set.labels, set.count * PIXELS);
  return bytes;
}

function checkpointName(task: string): string {
  return `${task}.safetensors`;
}

async function runWorker(taskName: string, o: BuildOptions): Promise<void> {
  await initTf('wasm');
  const task = taskByName(taskName);
  const base = await readCheckpoint(join(o.out, 'base.safetensors'));
  const tuned = await fineTune(task, base, o);
  await writeCheckpoint(join(o.out, checkpointName(task.name)), tuned, {
    task: task.name,
    seed: String(o.seed),
  });
}

function spawnWorker(task: string, argv: string[]): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, script, ...argv, '--worker', task],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`fine-tune ${task} exited with ${code}`)),
    );
  });
}

async function runPool(tasks: TaskSpec[], o: BuildOptions, argv: string[]): Promise<void> {
  // Longest first so the slowest task does not start last.
  const queue = [...tasks].sort((a, b) => taskSteps(b, o) - taskSteps(a, o));
  const lanes = Array.from({ length: Math.max(1, o.jobs) }, async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await spawnWorker(task.name, argv);
  });
  await Promise.all(lanes);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parseArgs(argv);
  if (o.worker) return runWorker(o.worker, o);

  const started = performance.now();
  const device = await initTf('wasm');
  mkdirSync(join(o.out, 'test'), { recursive: true });
  log(`building the zoo into ${o.out} with seed ${o.seed} on tfjs ${device}, ${o.jobs} job(s)`);

  // --resume keeps checkpoints already in --out (an interrupted build continues where it
  // stopped; training is deterministic, so the result is the same as an uninterrupted build).
  const resume = argv.includes('--resume');
  const have = (file: string): boolean => resume && existsSync(join(o.out, file));
  const built = new Set<string>();
  if (!have('base.safetensors')) built.add('base.safetensors');
  for (const t of o.tasks) if (!have(checkpointName(t.name))) built.add(checkpointName(t.name));
  if (!have('base.safetensors')) {
    const base = await pretrainBase(o);
    await writeCheckpoint(join(o.out, 'base.safetensors'), base, {
      objective: 'rotation prediction',
      seed: String(o.seed),
    });
  }
  const baseSeconds = (performance.now() - started) / 1000;
  log(`base done in ${baseSeconds.toFixed(0)} s`);

  const ftStarted = performance.now();
  const workerArgv = argv.filter((a, i) => a !== '--worker' && argv[i - 1] !== '--worker');
  const todo = o.tasks.filter((t) => !have(checkpointName(t.name)));
  if (o.jobs > 1) await runPool(todo, o, workerArgv);
  else for (const task of todo) await runWorker(task.name, o);
  const ftSeconds = (performance.now() - ftStarted) / 1000;
  log(`fine-tunes done in ${ftSeconds.toFixed(0)} s`);

  const tasks: ZooTask[] = [];
  const accuracies: Record<string, number> = {};
  for (const task of o.tasks) {
    const file = `test/${task.name}.bin`;
    const bytes = buildTestSet(task, o);
    writeFileSync(join(o.out, file), bytes);
    const tuned = toTensors(await readCheckpoint(join(o.out, checkpointName(task.name))));
    const test = {
      count: o.testCount,
      side: 28,
      pixels: bytes.subarray(0, o.testCount * PIXELS),
      labels: bytes.subarray(o.testCount * PIXELS),
    };
    const acc = await accuracy(tuned, task.name, test, { config: o.config });
    for (const t of tuned.values()) t.dispose();
    accuracies[task.name] = acc.accuracy;
    log(`${task.name}: own test accuracy ${(100 * acc.accuracy).toFixed(1)}%`);
    tasks.push({
      name: task.name,
      title: task.title,
      description: task.description,
      classNames: task.classNames,
      checkpoint: checkpointName(task.name),
      headTensors: [headWeightName(task.name), headBiasName(task.name)],
      test: { file, count: o.testCount, side: 28 },
      source: task.source,
    });
  }

  const manifest: ZooManifest = {
    format: ZOO_FORMAT,
    version: ZOO_VERSION,
    model: { architecture: 'vit', config: { ...o.config } },
    headPrefix: HEAD_PREFIX,
    base: {
      checkpoint: 'base.safetensors',
      objective:
        'rotation prediction (0/90/180/270°) on mixed MNIST + Fashion-MNIST train images, 1/3 inverted',
      headTensors: [headWeightName(PRETRAIN_HEAD), headBiasName(PRETRAIN_HEAD)],
    },
    tasks,
    seed: o.seed,
    provenance: PROVENANCE,
    build: {
      command: 'npm run zoo',
      backend: 'tfjs wasm (Node)',
      baseSteps: o.baseSteps,
      baseBatch: o.baseBatch,
      fineTuneSteps: Object.fromEntries(o.tasks.map((t) => [t.name, taskSteps(t, o)])),
      fineTunePeakLr: Object.fromEntries(o.tasks.map((t) => [t.name, taskLr(t, o)])),
      fineTuneBatch: o.ftBatch,
      fineTune:
        `per task: ${o.config.head === 'cosine' ? `cosine-classifier (logit scale ${o.config.logitScale}, no bias)` : 'linear'} ` +
        `probe of a fresh head on the frozen base (${o.probeSteps} steps, ` +
        `peak lr ${o.probeLr}), then the whole encoder fine-tuned under that frozen head`,
      probeSteps: o.probeSteps,
      optimizer: `Adam, warm-up then cosine decay; peak lr base ${o.baseLr}, probe ${o.probeLr}, fine-tunes ${o.ftLr} (per task: fineTunePeakLr)`,
      testAccuracy: accuracies,
      // Checkpoints kept from an earlier, interrupted run (--resume): their time is not below.
      reusedCheckpoints: resume
        ? ['base.safetensors', ...o.tasks.map((t) => checkpointName(t.name))].filter(
            (f) => !built.has(f),
          )
        : [],
      seconds: {
        base: Math.round(baseSeconds),
        fineTunes: Math.round(ftSeconds),
        total: Math.round((performance.now() - started) / 1000),
      },
    },
  };
  writeFileSync(join(o.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
