/**
 * `adamerge --pool public/zoo/manifest.json --mode task|layer [--plus] [--steps 500] [--seed S]
 * [--out merged.safetensors]`: AdaMerging on the zoo (entropy minimisation on the unlabeled test
 * inputs), progress on stderr, then the per-task accuracy table next to task arithmetic.
 */
import { parseArgs } from 'node:util';
import { checkOutputPath, nodeFileSink } from '../../io/node';
import { AdaMergingInputError, mergedCheckpoint, runAdaMerging } from '../../adapt';
import { evaluateEncoder, taskArithmeticMerge, zooMerge, type TableRow } from '../../eval';
import { loadZoo, ZooFormatError } from '../../zoo';
import { initTf, parseTfDevice } from '../../tf';
import { nodeGpu } from '../../gpu/node-gpu';
import { formatBytes, formatTable } from '../format';
import { CliUsageError, type CliIo, type Command } from '../types';
import { clipAdamergeUsage, runClipAdamerge } from '../clip/adamerge-clip';
import { clipRoute } from '../clip/errors';

const usage = `usage: adamerge --pool <manifest.json | zoo folder> --mode task|layer [--plus] [--steps 500] [--seed S] [--out merged.safetensors]
  Learns merging coefficients λ without labels by minimising the entropy of each task's
  predictions on its unlabeled test inputs (AdaMerging, ICLR 2024), then prints per-task accuracy.
  --mode         task: one λ per task; layer: one λ per task per merged tensor
  --plus         AdaMerging++: learn λ over the TIES-selected parts of the task vectors
  --steps        Adam steps (default 500)
  --seed         seeds the batch sampling (default 0)
  --out          write the merged checkpoint (encoder + every task's head, recipe in metadata)
  --lr           Adam learning rate (default 1e-3)
  --batch        unlabeled images per task per batch (default 16)
  --batches      batches per task per step, 1 or 2 (default 1)
  --no-clamp     do not clamp λ to [0, 1] in the forward pass (FusionBench behaviour)
  --eval-every   also print per-task accuracy every N steps (default 0: only at the end)
  --limit        only the first N test images per task in accuracy figures
  --log-every    progress line every N steps (default 25)
  --device       webgpu (default: Dawn, the fused WGSL step, linear or cosine heads; falls
                 back to wasm without an adapter), wasm, cpu`;

function positiveInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  zero = false,
): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < (zero ? 0 : 1))
    throw new CliUsageError(`--${name} must be a ${zero ? 'non-negative' : 'positive'} integer`);
  return v;
}

const pct = (x: number | undefined): string => (x === undefined ? '-' : (100 * x).toFixed(1));

function table(rows: TableRow[], tasks: string[]): string[] {
  return formatTable(
    ['method', ...tasks, 'avg'],
    rows.map((r) => [r.method, ...tasks.map((t) => pct(r.perTask[t])), pct(r.average)]),
    new Set(tasks.map((_, i) => i + 1).concat(tasks.length + 1)),
  );
}

async function adamerge(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      pool: { type: 'string' },
      mode: { type: 'string' },
      plus: { type: 'boolean', default: false },
      steps: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      lr: { type: 'string' },
      batch: { type: 'string' },
      batches: { type: 'string' },
      'no-clamp': { type: 'boolean', default: false },
      'eval-every': { type: 'string' },
      limit: { type: 'string' },
      'log-every': { type: 'string' },
      device: { type: 'string', default: 'webgpu' },
    },
  });
  if (!values.pool) throw new CliUsageError('adamerge needs --pool <manifest.json> (see --help)');
  if (values.mode !== 'task' && values.mode !== 'layer')
    throw new CliUsageError('adamerge needs --mode task or --mode layer');
  const lr = values.lr === undefined ? 1e-3 : Number(values.lr);
  if (!(lr > 0)) throw new CliUsageError('--lr must be a positive number');
  const batches = positiveInt('batches', values.batches, 1);
  if (batches !== 1 && batches !== 2) throw new CliUsageError('--batches must be 1 or 2');
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new CliUsageError('--seed must be an integer');
  const steps = positiveInt('steps', values.steps, 500, true);
  const limitRaw = positiveInt('limit', values.limit, 0, true);
  const limit = limitRaw || undefined;
  const logEvery = positiveInt('log-every', values['log-every'], 25);
  let device;
  try {
    device = parseTfDevice(values.device);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  // The output is checked before minutes of training, and written as every CLI output is.
  if (values.out !== undefined)
    await checkOutputPath({ out: values.out, kind: 'file', inputs: [values.pool] });
  const used = await initTf(device, { gpu: device === 'webgpu' ? await nodeGpu() : null });
  const zoo = await loadZoo(values.pool);
  const tasks = zoo.manifest.tasks.map((t) => t.name);
  const label = `${values.plus ? 'AdaMerging++' : 'AdaMerging'} ${values.mode}-wise`;
  io.err(`${label}: ${tasks.length} tasks, ${steps} steps, tfjs ${used}`);

  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  let output;
  try {
    output = await runAdaMerging(
      zoo,
      {
        mode: values.mode,
        plus: values.plus,
        steps,
        seed,
        lr,
        batchSize: positiveInt('batch', values.batch, 16),
        batchesPerTask: batches,
        clamp: !values['no-clamp'],
        evalEvery: positiveInt('eval-every', values['eval-every'], 0, true),
        evalLimit: limitRaw,
      },
      {
        signal: controller.signal,
        onStep: (e) => {
          if (e.step % logEvery !== 0 && e.step !== 1 && e.step !== steps) return;
          const flat = e.lambdas.flat();
          const meanLambda = flat.reduce((a, b) => a + b, 0) / flat.length;
          io.err(
            `step ${e.step}/${steps}  entropy ${e.entropyTotal.toFixed(4)}  mean λ ${meanLambda.toFixed(3)}  ${e.ms.toFixed(0)} ms/step`,
          );
        },
        onEval: (e) =>
          io.err(
            `step ${e.step} accuracy ${tasks.map((t, k) => `${t} ${pct(e.accuracyPerTask[k])}`).join(', ')}; avg ${pct(e.average)}`,
          ),
      },
    );
  } catch (e) {
    if (controller.signal.aborted) {
      io.err('adamerge: interrupted');
      return 130;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const { result, merged } = output;
  io.err(
    `done in ${result.seconds.toFixed(1)} s; entropy ${result.firstEntropy.toFixed(4)} → ${result.lastEntropy.toFixed(4)}`,
  );

  // The accuracy table is forward passes only: tfjs-webgpu's own kernels are slow on CPU drivers
  // (Node's Dawn here), wasm is ~4× faster for them; the merge is plain arrays by now.
  const evalDevice = used === 'webgpu' ? await initTf('wasm') : used;
  const taskArithmetic = await zooMerge(zoo, taskArithmeticMerge(0.3));
  const rows = [
    await evaluateEncoder('task arithmetic (λ=0.3)', taskArithmetic, zoo, { limit }),
    await evaluateEncoder(label, merged, zoo, { limit }),
  ];
  for (const line of table(rows, tasks)) io.out(line);
  io.out(`accuracy %, ${limit ?? 'all'} test images per task, tfjs ${evalDevice}`);
  const lambdaRows = result.lambdas.map((row, k) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const range =
      row.length > 1
        ? ` (min ${Math.min(...row).toFixed(3)}, max ${Math.max(...row).toFixed(3)})`
        : '';
    return `${tasks[k]} ${mean.toFixed(3)}${range}`;
  });
  io.out(`λ${values.mode === 'layer' ? ' mean per task' : ''}: ${lambdaRows.join('; ')}`);
  if (values.out) {
    const bytes = await mergedCheckpoint(result, merged, zoo);
    const sink = await nodeFileSink(values.out);
    try {
      await sink.write(bytes);
      await sink.close();
    } catch (e) {
      await sink.abort(e);
      throw e;
    }
    io.out(`wrote ${values.out} (${formatBytes(bytes.length)})`);
  }
  return 0;
}

export const adamergeCommand: Command = {
  summary: 'AdaMerging: learn task-wise or layer-wise merging coefficients without labels',
  usage: `${clipAdamergeUsage}\n\n${usage}`,
  async run(args, io) {
    try {
      // Your own CLIP checkpoints (--base); --pool keeps the demo zoo.
      if (args.some((a) => a === '--base' || a.startsWith('--base=')))
        return await clipRoute(() => runClipAdamerge(args, io));
      return await adamerge(args, io);
    } catch (e) {
      if (
        e instanceof ZooFormatError ||
        e instanceof AdaMergingInputError ||
        e instanceof RangeError
      )
        throw new CliUsageError(e.message);
      throw e;
    }
  },
};
