/**
 * `npm run zoo:clip -- --out <dir> [--seed S] [--resume] [--scale smoke|full|full4|hard]`: builds the CLIP
 * demo zoo v2 (docs/zoo-v2.md) — eight test sets, a tiny CLIP pretrained contrastively on a
 * captioned mixture, and one image-tower fine-tune per task — deterministically from the seed.
 * Each stage ends with a marker in <out>/.build/; `--resume` skips the stages that have one.
 * Everything except <out>/.build/ and build-times.json is byte-identical across rebuilds.
 * `--jobs N` (default: one per core) runs the fine-tunes in N child processes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  parsePreprocessorConfig,
  preprocessForClip,
  type ClipPreprocessConfig,
  type RgbImage,
} from '../../src/data/images/index';
import { Rng } from '../../src/data/prng';
import { loadFashion, loadMnist } from '../../src/data/sources-node';
import { buildClipTokenizerJson, loadClipTokenizer, templatesFor } from '../../src/data/text/index';
import { buildZeroShotHeads, readClipModel } from '../../src/eval/clip/index';
import { openCheckpointFromSources } from '../../src/io';
import { nodeFileSource } from '../../src/io/node';
import { parseClipConfig } from '../../src/models/clip';
import type { NamedArray } from '../../src/models/tensors';
import { captionFor, pretrainSlot, pretrainSources, tokenizerCorpus } from './captions';
import {
  clipModelConfig,
  clipVisionConfig,
  preprocessorConfig,
  zooPlan,
  type ZooPlan,
  type ZooScale,
} from './config';
import { zooTasks, type Split, type ZooTask } from './domains/tasks';
import { initClipParams } from './init';
import { buildManifest } from './manifest';
import { finetuneVision, pretrainClip, type ImageStore, type StepReport } from './train';
import { registerWasmSegmentSum } from './wasm-kernels';
import { jsonText, writeAtomic, writeImageFolder, writeSafetensors } from './write';

export interface BuildOptions {
  out: string;
  seed: number;
  resume: boolean;
  scale: ZooScale;
  log?: (line: string) => void;
  /** Development probes only (not on the command line): fields that replace the scale's. */
  planOverrides?: Partial<ZooPlan>;
  /** Fine-tunes run in this many child processes at once (default 1: in this process). */
  jobs?: number;
}

export class ZooBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZooBuildError';
  }
}

interface Ctx extends BuildOptions {
  plan: ZooPlan;
  tasks: ZooTask[];
  preprocess: ClipPreprocessConfig;
  log: (line: string) => void;
}

const BASE_DIR = 'clip-base';
const finetuneDir = (task: string) => `clip-${task}`;

/** Runs `work` unless `--resume` finds its marker; records its wall time in the marker. */
/** Where stage `name` records that it finished. */
const markerOf = (ctx: Ctx, name: string) => join(ctx.out, '.build', `${name}.json`);

async function stage(ctx: Ctx, name: string, work: () => Promise<void>): Promise<void> {
  const marker = markerOf(ctx, name);
  if (ctx.resume && existsSync(marker)) {
    ctx.log(`${name}: done before, skipped (--resume)`);
    return;
  }
  const t0 = performance.now();
  await work();
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  await writeAtomic(marker, jsonText({ stage: name, seconds }));
  ctx.log(`${name}: ${seconds} s`);
}

function sampleMany(ctx: Ctx, task: ZooTask, split: Split, count: number) {
  return Array.from({ length: count }, (_, i) =>
    task.sample(split, i, ctx.seed, ctx.plan.imageSize),
  );
}

function imageStore(ctx: Ctx, images: readonly RgbImage[]): ImageStore {
  const size = ctx.plan.imageSize;
  const per = size * size * 3;
  const pixels = new Uint8Array(images.length * per);
  images.forEach((im, i) => pixels.set(im.data, i * per));
  const normalise = (data: Uint8Array) =>
    preprocessForClip({ width: size, height: size, data }, ctx.preprocess);
  return { count: images.length, size, pixels, normalise };
}

function progress(ctx: Ctx, what: string, total: number) {
  const every = Math.max(1, Math.floor(total / 20));
  let ms = 0;
  return (r: StepReport) => {
    ms += r.ms;
    if (r.step % every === 0 || r.step === total) {
      const extra =
        r.gradNorm === undefined
          ? ''
          : ` lr ${r.lr!.toExponential(2)} |g| ${r.gradNorm.toFixed(3)} scale ${r.logitScale!.toFixed(3)}`;
      ctx.log(
        `${what}: step ${r.step}/${total} loss ${r.loss.toFixed(4)}${extra} (${(ms / r.step).toFixed(0)} ms/step)`,
      );
    }
  };
}

async function writeTestSets(ctx: Ctx): Promise<void> {
  for (const task of ctx.tasks) {
    const dir = join(ctx.out, 'data', task.name);
    await rm(dir, { recursive: true, force: true });
    await writeImageFolder(
      dir,
      task.classNames,
      sampleMany(ctx, task, 'test', ctx.plan.testPerTask),
    );
  }
}

/** Whether pretraining pair `i` shows its image in the hard form (no draw when the share is 0). */
function isHardPair(plan: ZooPlan, seed: number, i: number): boolean {
  const share = plan.pretrainHardShare ?? 0;
  return share > 0 && new Rng(seed, `pretrain:form:${i}`).int(1_000_000) < share * 1_000_000;
}

async function pretrainBase(ctx: Ctx): Promise<void> {
  const { plan } = ctx;
  const sources = pretrainSources(ctx.tasks);
  const images: RgbImage[] = [];
  const captions: string[] = [];
  const concepts: string[] = [];
  const groups = sources.map(() => [] as number[]);
  for (let i = 0; i < plan.pretrainPairs; i++) {
    const { task, index } = pretrainSlot(i, sources);
    const { label, image } = task.sample(
      'pretrain',
      index,
      ctx.seed,
      plan.imageSize,
      isHardPair(plan, ctx.seed, i),
    );
    const { text, concept } = captionFor(task, label, i, ctx.seed, plan.numberTemplateCaptions);
    images.push(image);
    captions.push(text);
    concepts.push(concept);
    groups[sources.indexOf(task)]!.push(i);
  }
  const tokenizerJson = buildClipTokenizerJson(
    tokenizerCorpus(ctx.tasks, captions),
    plan.vocabSize,
  );
  const tokenizer = loadClipTokenizer(tokenizerJson);
  const configJson = clipModelConfig(plan, {
    vocab: tokenizer.vocabSize,
    bos: tokenizer.bosId,
    eos: tokenizer.eosId,
  });
  const cfg = parseClipConfig(configJson, 'config.json');
  const encoded = tokenizer.encode(captions, plan.context);
  const keyOf = new Map<string, number>();
  const captionKeys = Int32Array.from(concepts, (c) => {
    if (!keyOf.has(c)) keyOf.set(c, keyOf.size);
    return keyOf.get(c)!;
  });
  ctx.log(
    `pretraining mixture: ${images.length} pairs, ${keyOf.size} concepts, vocabulary ${tokenizer.vocabSize}`,
  );
  const trained = await pretrainClip(
    initClipParams(cfg, ctx.seed),
    cfg,
    {
      images: imageStore(ctx, images),
      ids: encoded.ids,
      mask: encoded.attentionMask,
      context: plan.context,
      captionKeys,
      groups: groups.map((g) => Int32Array.from(g)),
    },
    {
      steps: plan.pretrainSteps,
      batch: plan.pretrainBatch,
      lr: plan.pretrainLr,
      warmup: plan.pretrainWarmup,
      scaleLrMult: plan.logitScaleLrMult,
      domainsPerBatch: plan.pretrainDomainsPerBatch,
      seed: ctx.seed,
      onStep: progress(ctx, 'pretrain', plan.pretrainSteps),
    },
  );
  const dir = join(ctx.out, BASE_DIR);
  await writeAtomic(join(dir, 'config.json'), jsonText(configJson));
  await writeAtomic(
    join(dir, 'preprocessor_config.json'),
    jsonText(preprocessorConfig(plan.imageSize)),
  );
  await writeAtomic(join(dir, 'tokenizer.json'), tokenizerJson);
  await writeSafetensors(join(dir, 'model.safetensors'), trained);
}

async function readBase(ctx: Ctx) {
  const dir = join(ctx.out, BASE_DIR);
  const sources = [
    await nodeFileSource(join(dir, 'config.json')),
    await nodeFileSource(join(dir, 'model.safetensors')),
  ];
  const checkpoint = await openCheckpointFromSources(sources, dir);
  const model = await readClipModel(checkpoint, undefined, { text: true });
  const params = new Map<string, NamedArray>();
  for (const name of checkpoint.tensors.keys()) {
    params.set(name, {
      shape: checkpoint.tensors.get(name)!.info.shape,
      data: await checkpoint.readF32(name),
    });
  }
  for (const s of sources) await s.close();
  const tokenizer = loadClipTokenizer(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
  return { model, params, tokenizer };
}

async function finetune(ctx: Ctx, task: ZooTask, base: Awaited<ReturnType<typeof readBase>>) {
  const { plan } = ctx;
  const [head] = await buildZeroShotHeads(base.model, base.tokenizer, [
    { task: task.name, classNames: task.classNames, templates: templatesFor(task.name) },
  ]);
  const train = sampleMany(ctx, task, 'train', plan.finetuneTrain);
  const tuned = await finetuneVision(
    base.params,
    base.model.config,
    {
      images: imageStore(
        ctx,
        train.map((s) => s.image),
      ),
      labels: Int32Array.from(train, (s) => s.label),
      head: head!.weight,
      classes: task.classNames.length,
    },
    {
      task: task.name,
      steps: plan.finetuneSteps,
      batch: plan.finetuneBatch,
      lr: plan.finetuneLr,
      seed: ctx.seed,
      cosine: plan.finetuneWarmup !== undefined,
      warmup: plan.finetuneWarmup,
      onStep: progress(ctx, `fine-tune ${task.name}`, plan.finetuneSteps),
    },
  );
  const dir = join(ctx.out, finetuneDir(task.name));
  await writeAtomic(join(dir, 'config.json'), jsonText(clipVisionConfig(plan)));
  await writeSafetensors(join(dir, 'model.safetensors'), tuned);
}

async function collectTimes(out: string): Promise<Record<string, number>> {
  const dir = join(out, '.build');
  const times: Record<string, number> = {};
  for (const f of (await readdir(dir)).sort()) {
    if (!f.endsWith('.json')) continue;
    const { stage: name, seconds } = JSON.parse(await readFile(join(dir, f), 'utf8')) as {
      stage: string;
      seconds: number;
    };
    times[name] = seconds;
  }
  return times;
}

/** The fine-tunes of `tasks` whose stage has no marker, one after another in this process. */
async function finetuneHere(ctx: Ctx, tasks: readonly ZooTask[]): Promise<void> {
  let base: Awaited<ReturnType<typeof readBase>> | undefined;
  for (const task of tasks) {
    await stage(ctx, `finetune-${task.name}`, async () => {
      base ??= await readBase(ctx);
      await finetune(ctx, task, base);
    });
  }
}

const TSX = resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');

/**
 * The fine-tunes in `jobs` child processes (this script with `--finetune-only <task>` and the
 * resolved plan), in task order. Each fine-tune is a pure function of the seed and the written
 * base, so the bytes do not depend on `jobs` (build.spec builds both ways). The parent decides
 * what `--resume` skips; a child always runs its fine-tune, so a build without `--resume` into
 * an old zoo's folder redoes every fine-tune, as it does with one job.
 */
async function finetuneInChildren(ctx: Ctx, jobs: number): Promise<void> {
  const todo = ctx.tasks.filter(
    (t) => !(ctx.resume && existsSync(markerOf(ctx, `finetune-${t.name}`))),
  );
  const argv = ['--out', ctx.out, '--seed', String(ctx.seed), '--scale', ctx.scale];
  const runChild = (task: ZooTask) =>
    new Promise<void>((done, fail) => {
      const child = spawn(
        TSX,
        [
          import.meta.filename,
          ...argv,
          '--finetune-only',
          task.name,
          '--plan',
          JSON.stringify(ctx.plan),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      // The child's progress lines go through the parent's log (quiet in the specs).
      createInterface({ input: child.stdout }).on('line', ctx.log);
      child.on('error', fail);
      child.on('exit', (code) =>
        code === 0 ? done() : fail(new ZooBuildError(`fine-tune ${task.name} exited with ${code}`)),
      );
    });
  const lanes = Array.from({ length: Math.min(jobs, todo.length) }, async () => {
    for (let task = todo.shift(); task; task = todo.shift()) await runChild(task);
  });
  await Promise.all(lanes);
}

async function startWasm(): Promise<void> {
  registerWasmSegmentSum();
  if (!(await tf.setBackend('wasm')))
    throw new ZooBuildError('the tfjs wasm backend did not start');
  await tf.ready();
}

function contextFor(options: BuildOptions, plan: ZooPlan): Ctx {
  return {
    ...options,
    plan,
    tasks: zooTasks({ mnist: loadMnist, fashion: loadFashion }),
    preprocess: parsePreprocessorConfig(
      preprocessorConfig(plan.imageSize),
      'preprocessor_config.json',
    ),
    log: options.log ?? ((line) => console.log(line)),
  };
}

export async function buildClipZoo(options: BuildOptions): Promise<void> {
  if (!Number.isInteger(options.seed) || options.seed < 0) {
    throw new ZooBuildError(`--seed must be a non-negative integer, got ${options.seed}`);
  }
  await startWasm();
  const ctx = contextFor(options, { ...zooPlan(options.scale), ...options.planOverrides });
  await mkdir(options.out, { recursive: true });
  const t0 = performance.now();
  await stage(ctx, 'test-sets', () => writeTestSets(ctx));
  await stage(ctx, 'pretrain', () => pretrainBase(ctx));
  if ((options.jobs ?? 1) > 1) await finetuneInChildren(ctx, options.jobs!);
  else await finetuneHere(ctx, ctx.tasks);
  await writeAtomic(
    join(options.out, 'manifest.json'),
    jsonText(buildManifest(ctx.plan, ctx.tasks, options.seed)),
  );
  const times = await collectTimes(options.out);
  await writeFile(
    join(options.out, 'build-times.json'),
    jsonText({
      seconds: times,
      thisRunSeconds: Math.round((performance.now() - t0) / 1000),
      backend: tf.getBackend(),
    }),
  );
}

/** A `--jobs` child: one fine-tune on the parent's written base, under the parent's plan. */
async function finetuneOnly(options: BuildOptions, task: string, plan: ZooPlan): Promise<void> {
  await startWasm();
  const ctx = contextFor(options, plan);
  const found = ctx.tasks.find((t) => t.name === task);
  if (!found) throw new ZooBuildError(`--finetune-only: no task "${task}"`);
  await finetuneHere(ctx, [found]);
}

interface Args extends BuildOptions {
  finetuneOnly?: { task: string; plan: ZooPlan };
}

const USAGE = '--out <dir> [--seed S] [--resume] [--scale smoke|full|full4|hard] [--jobs N]';

function parseArgs(argv: readonly string[]): Args {
  const opts: Args = {
    out: '',
    seed: 0,
    resume: false,
    scale: 'smoke',
    jobs: availableParallelism(),
  };
  let only: string | undefined;
  let plan: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new ZooBuildError(`${a} needs a value`);
      return v;
    };
    if (a === '--out') opts.out = value();
    else if (a === '--seed') opts.seed = Number(value());
    else if (a === '--resume') opts.resume = true;
    else if (a === '--scale') {
      const s = value();
      if (s !== 'smoke' && s !== 'full' && s !== 'full4' && s !== 'hard')
        throw new ZooBuildError(`--scale must be smoke, full, full4 or hard, got "${s}"`);
      opts.scale = s;
    } else if (a === '--jobs') {
      opts.jobs = Number(value());
      if (!Number.isInteger(opts.jobs) || opts.jobs < 1)
        throw new ZooBuildError(`--jobs must be a positive integer, got "${argv[i]}"`);
    } else if (a === '--finetune-only') only = value();
    else if (a === '--plan') plan = value();
    else throw new ZooBuildError(`unknown argument "${a}" (usage: ${USAGE})`);
  }
  if (!opts.out) throw new ZooBuildError('--out <dir> is required');
  if (only !== undefined && plan !== undefined)
    opts.finetuneOnly = { task: only, plan: JSON.parse(plan) as ZooPlan };
  return opts;
}

const isMain =
  process.argv[1]?.endsWith('build.ts') && import.meta.url.endsWith('clip-zoo/build.ts');
if (isMain) {
  const args = parseArgs(process.argv.slice(2));
  const work = args.finetuneOnly
    ? finetuneOnly(args, args.finetuneOnly.task, args.finetuneOnly.plan)
    : buildClipZoo(args);
  work.catch((e: unknown) => {
    console.error(e instanceof ZooBuildError ? `zoo:clip: ${e.message}` : e);
    process.exit(1);
  });
}
