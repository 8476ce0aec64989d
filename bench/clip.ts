/**
 * `npm run bench -- --only clip [--shapes tiny,vit-b32] [--devices wasm,cpu,webgpu] [--tasks 8]
 * [--per-task 16] [--steps 3]`: the "your own CLIP models" benchmark in Node. For generated CLIP
 * pools of the tiny test shape and of openai/clip-vit-base-patch32's real dimensions (random
 * weights: the cost does not depend on the values), it measures zero-shot evaluation images/s
 * (batch 32) and layer-wise AdaMerging ms/step (tasks × per-task images, tfjs autodiff) on each
 * tfjs backend, plus the fused WGSL step on the WebGPU device, the bytes tfjs holds on the device, the process's peak RSS, and what a GPU
 * would have to hold. Writes bench/results/clip.json and its section of docs/bench.md.
 */
import { loadavg } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { clipHostProblem, ClipAdaMergingSession } from '../src/adapt/clip';
import { unitImageEmbeds, zeroShotLogits } from '../src/eval/clip';
import {
  clipModelConfigJson,
  generateClipPool,
  TINY_CLIP,
  VIT_B32_CLIP,
  type ClipPoolShape,
} from '../src/eval/testing/clip-pool';
import { clipVisionTensorShapes, parseClipConfig } from '../src/models';
import { toTensors } from '../src/models/tensors';
import { Rng } from '../src/data/prng';
import { initTf, type TfDevice } from '../src/tf/backend';
import { nodeGpu } from '../src/gpu/node-gpu';
import { writeBenchSection } from './sections';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const SHAPES: Record<string, ClipPoolShape> = { tiny: TINY_CLIP, 'vit-b32': VIT_B32_CLIP };
const shapes = (arg('shapes') ?? 'tiny,vit-b32').split(',');
const devices = (arg('devices') ?? 'wasm,cpu,webgpu').split(',') as TfDevice[];
const taskCount = Number(arg('tasks') ?? 8);
const perTask = Number(arg('per-task') ?? 16);
const steps = Number(arg('steps') ?? 3);
const log = (line: string) => console.log(`[bench clip] ${line}`);
const load = () => loadavg()[0]!;

interface Row {
  shape: string;
  device: string;
  visionParams: number;
  evalImagesPerSecond: number | null;
  adamergingMsPerStep: number | null;
  /** The fused WGSL step (src/adapt/adamerging/fused/clip-*.ts), on the webgpu rows only. */
  fusedMsPerStep?: number | null;
  adamergingImages: number;
  tfjsDeviceMiB: number;
  peakRssMiB: number;
  load: number;
  note: string;
}

function count(shape: ClipPoolShape): number {
  const config = parseClipConfig(clipModelConfigJson(shape, 2, 1), 'config.json');
  let n = 0;
  for (const s of clipVisionTensorShapes(config).values()) n += s.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Fine-tunes as the base plus a cheap deterministic pattern: the timings do not depend on the
 * values, and seeded normals for 8 × 88M values take minutes in JS.
 */
function withCheapFinetunes(pool: ReturnType<typeof generateClipPool>, tasks: string[]) {
  for (const [k, task] of tasks.entries()) {
    const tuned = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, t] of pool.base) {
      if (!name.startsWith('vision_model.')) continue;
      // A plain loop: TypedArray.from with a map function iterates 88M boxed values here.
      const data = new Float32Array(t.data.length);
      for (let i = 0; i < data.length; i++)
        data[i] = t.data[i]! + 1e-3 * (((i * 40503 + k * 977) % 1024) / 1024 - 0.5);
      tuned.set(name, { shape: t.shape, data });
    }
    pool.finetunes.set(task, tuned);
  }
  return pool;
}

function unitHeads(dim: number, classes: number, tasks: number) {
  const rng = new Rng(1, 'bench-heads');
  return Array.from({ length: tasks }, () => {
    const w = Float32Array.from({ length: classes * dim }, () => rng.normal());
    for (let c = 0; c < classes; c++) {
      const row = w.subarray(c * dim, (c + 1) * dim);
      const norm = Math.hypot(...row);
      row.forEach((v, j) => (row[j] = v / norm));
    }
    return { weight: w, classes, dim };
  });
}

async function timeEval(pool: ReturnType<typeof generateClipPool>, side: number): Promise<number> {
  const params = toTensors(
    new Map(
      [...pool.base].filter(
        ([n]) => n.startsWith('vision_model.') || n === 'visual_projection.weight',
      ),
    ),
  );
  const dim = pool.config.projectionDim;
  const head = tf.tensor2d(unitHeads(dim, 10, 1)[0]!.weight, [10, dim]);
  const batch = 32;
  const pixels = tf.randomNormal([batch, side, side, 3]) as tf.Tensor4D;
  const once = async () => {
    const p = tf.tidy(() =>
      tf.argMax(zeroShotLogits(unitImageEmbeds(params, pixels, pool.config), head, 2.6), 1),
    );
    await p.data();
    p.dispose();
  };
  await once(); // warm-up: kernels compiled, weights uploaded
  const rounds = 3;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await once();
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([pixels, head, ...params.values()]);
  return (rounds * batch) / seconds;
}

async function timeAdaMerging(
  pool: ReturnType<typeof generateClipPool>,
  tasks: string[],
  side: number,
  engine: 'tfjs' | 'auto' = 'tfjs',
) {
  const host = clipHostProblem({
    config: pool.config,
    base: pool.base,
    finetunes: tasks.map((task) => ({ task, vision: pool.finetunes.get(task)! })),
    projection: pool.base.get('visual_projection.weight')!,
    logitScale: 2.6592,
    heads: unitHeads(pool.config.projectionDim, 10, tasks.length),
    plus: false,
    density: 0.2,
  });
  const rng = new Rng(2, 'bench-pools');
  const pools = tasks.map(() => ({
    pixels: Float32Array.from({ length: perTask * side * side * 3 }, () => rng.normal()),
    count: perTask,
    side,
  }));
  const session = new ClipAdaMergingSession(host, pools, {
    mode: 'layer',
    batchSize: perTask,
    steps,
    engine,
  });
  if (engine === 'auto' && !session.fused) throw new Error('the fused engine did not start');
  try {
    await session.step(); // warm-up (the fused engine's pipelines compile here)
    let ms = 0;
    for (let s = 0; s < steps; s++) ms += (await session.step()).ms;
    return { ms: ms / steps, deviceBytes: tf.memory().numBytes };
  } finally {
    session.dispose();
  }
}

const rows: Row[] = [];
const gpu = devices.includes('webgpu') ? await nodeGpu() : null;
for (const name of shapes) {
  const shape = SHAPES[name]!;
  const tasks = Array.from({ length: taskCount }, (_, i) => `task${i}`);
  log(`${name}: generating a base + ${taskCount} fine-tunes`);
  const pool = withCheapFinetunes(
    generateClipPool(shape, [], { seed: 7, eosTokenId: 2, bosTokenId: 1 }),
    tasks,
  );
  const side = shape.vision.image_size;
  for (const device of devices) {
    if (device === 'webgpu' && !gpu) {
      rows.push({
        shape: name,
        device,
        visionParams: count(shape),
        evalImagesPerSecond: null,
        adamergingMsPerStep: null,
        adamergingImages: 0,
        tfjsDeviceMiB: 0,
        peakRssMiB: 0,
        load: load(),
        note: 'no WebGPU adapter',
      });
      continue;
    }
    const used = await initTf(device, { gpu: device === 'webgpu' ? gpu : null });
    const note: string[] = [];
    let evalRate: number | null = null;
    let stepMs: number | null = null;
    let deviceBytes = 0;
    try {
      evalRate = await timeEval(pool, side);
      log(`${name} ${used}: eval ${evalRate.toFixed(1)} images/s`);
    } catch (e) {
      note.push(`eval failed: ${(e as Error).message.slice(0, 80)}`);
    }
    // The cpu backend needs minutes per ViT-B/32 step: time it on the tiny shape only.
    if (!(device === 'cpu' && name !== 'tiny')) {
      try {
        const r = await timeAdaMerging(pool, tasks, side);
        stepMs = r.ms;
        deviceBytes = r.deviceBytes;
        log(`${name} ${used}: AdaMerging ${stepMs.toFixed(0)} ms/step`);
      } catch (e) {
        note.push(`AdaMerging failed: ${(e as Error).message.slice(0, 80)}`);
      }
    } else note.push('AdaMerging not timed on cpu at this size');
    let fusedMs: number | null = null;
    if (used === 'webgpu') {
      try {
        fusedMs = (await timeAdaMerging(pool, tasks, side, 'auto')).ms;
        log(`${name} ${used}: AdaMerging fused WGSL ${fusedMs.toFixed(0)} ms/step`);
      } catch (e) {
        note.push(`fused AdaMerging failed: ${(e as Error).message.slice(0, 80)}`);
      }
    }
    rows.push({
      shape: name,
      device: used,
      visionParams: count(shape),
      evalImagesPerSecond: evalRate,
      adamergingMsPerStep: stepMs,
      fusedMsPerStep: fusedMs,
      adamergingImages: taskCount * perTask,
      tfjsDeviceMiB: deviceBytes / 2 ** 20,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      load: load(),
      note: note.join('; '),
    });
  }
}

const gib = (params: number, bytes: number) => ((params * bytes) / 2 ** 30).toFixed(2);
const need = Object.keys(SHAPES).map((name) => {
  const n = count(SHAPES[name]!);
  return `- ${name}: θ₀ + ${taskCount} task vectors of ${(n / 1e6).toFixed(1)}M vision parameters = ${gib(n * (taskCount + 1), 4)} GiB in F32 (${gib(n * (taskCount + 1), 2)} GiB in F16), before activations.`;
});
// A partial run (--shapes, --devices) replaces its own rows and keeps the others.
const previous: Row[] = existsSync('bench/results/clip.json')
  ? (JSON.parse(readFileSync('bench/results/clip.json', 'utf8')) as { rows: Row[] }).rows
  : [];
const fresh = new Set(rows.map((r) => `${r.shape}/${r.device}`));
rows.unshift(...previous.filter((r) => !fresh.has(`${r.shape}/${r.device}`)));
const fmt = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? '–' : v.toFixed(digits);
const table = [
  '| shape | device | eval images/s (batch 32) | AdaMerging layer-wise ms/step (tfjs autodiff) | fused WGSL ms/step | images/step | tfjs-held MiB | peak RSS MiB | load | note |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.shape} | ${r.device} | ${fmt(r.evalImagesPerSecond)} | ${fmt(r.adamergingMsPerStep, 0)} | ${fmt(r.fusedMsPerStep, 0)} | ${r.adamergingImages} | ${fmt(r.tfjsDeviceMiB, 0)} | ${fmt(r.peakRssMiB, 0)} | ${r.load.toFixed(1)} | ${r.note} |`,
  ),
].join('\n');
const markdown = `Node, tfjs backends, generated CLIP pools with random weights (\`bench/clip.ts\`). AdaMerging runs tfjs autodiff on each backend, and on the WebGPU device also the fused WGSL step (\`src/adapt/adamerging/fused/clip-*.ts\`; one awaited step at a time, after a warm-up step that compiles its pipelines); the load column is the 1-minute load average of this shared machine: compare rows of one run as ratios. The peak RSS is the whole process's so far (rows are measured in order).\n\n${table}\n\nWhat a GPU must hold for AdaMerging:\n\n${need.join('\n')}\n`;
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/clip.json',
  `${JSON.stringify({ measuredAt: new Date().toISOString(), rows }, null, 2)}\n`,
);
await writeBenchSection('clip', 'Your own CLIP models (Node)', markdown);
log('wrote bench/results/clip.json and docs/bench.md');
process.exit(0);
