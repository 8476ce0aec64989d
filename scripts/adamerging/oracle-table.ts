/**
 * `npm run adamerging:oracle [-- --pool public/zoo --train 250 --variants layer,task
 * --lrs 1e-3,1e-2 --objectives cross-entropy --steps 500 --seed 0 --device wasm]`: the
 * supervised upper bound of AdaMerging's λ parametrisation. λ is learned with the labelled
 * oracle objective (cross-entropy, or entropy for a same-split comparison) on batches drawn
 * from the first `--train` test images of every task only; every row — the baselines too — is
 * scored on the remaining images, which the oracle never saw. At the end, the summed entropy of
 * every merge on all seen images (does entropy rank the merges as accuracy does?). Diagnosis
 * only: it writes its own JSON (--from reuses earlier ones' runs, e.g. parallel processes) and
 * prints a markdown table, and leaves docs/adamerging.md's results block alone.
 * docs/adamerging.md, "Session 5", has the commands and the results.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluateEncoder, mean, zooResults, type TableRow } from '../../src/eval/zoo-table';
import { nodeGpu } from '../../src/gpu/node-gpu';
import { initTf, parseTfDevice } from '../../src/tf/backend';
import { type LoadedZoo, loadZoo } from '../../src/zoo/load';
import { lossAt } from '../../src/adapt/adamerging/gradient';
import { runAdaMerging } from '../../src/adapt/adamerging/run';
import type {
  AdaMergingMode,
  AdaMergingObjective,
  AdaMergingResult,
} from '../../src/adapt/adamerging/types';

const { values } = parseArgs({
  options: {
    pool: { type: 'string', default: 'public/zoo' },
    /** Test images per task the λ are trained on (from the start); the rest are scored. */
    train: { type: 'string', default: '250' },
    variants: { type: 'string', default: 'layer,task' },
    lrs: { type: 'string', default: '1e-3,1e-2' },
    objectives: { type: 'string', default: 'cross-entropy' },
    steps: { type: 'string', default: '500' },
    seed: { type: 'string', default: '0' },
    device: { type: 'string', default: 'wasm' },
    /** Entropy runs on the fused WebGPU step (Dawn), tfjs staying on --device: ≈ 10× faster. */
    fused: { type: 'boolean', default: false },
    json: { type: 'string', default: 'docs/results-adamerging-oracle.json' },
    /** JSON files of earlier (e.g. parallel) runs of this script: their runs are reused. */
    from: { type: 'string' },
  },
});
const train = Number(values.train);
const steps = Number(values.steps);
const seed = Number(values.seed);
const list = (s: string): string[] => s.split(',').map((x) => x.trim());
const log = (line: string): void =>
  console.log(`[oracle ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** The zoo with every test set cut to its images [from, to): the other fields are shared. */
function withTestImages(zoo: LoadedZoo, from: number, to: number): LoadedZoo {
  const testSets = new Map(
    [...zoo.testSets].map(([task, set]) => {
      const px = set.side * set.side;
      const end = Math.min(to, set.count);
      return [
        task,
        {
          count: end - from,
          side: set.side,
          pixels: set.pixels.subarray(from * px, end * px),
          labels: set.labels.subarray(from, end),
        },
      ];
    }),
  );
  return { ...zoo, testSets };
}

const used = await initTf(parseTfDevice(values.device));
const gpu = values.fused ? ((await nodeGpu())?.device ?? null) : null;
if (values.fused && !gpu) throw new Error('--fused: no WebGPU adapter in Node');
const zoo = await loadZoo(values.pool);
const counts = [...zoo.testSets.values()].map((s) => s.count);
if (!(train > 0 && train < Math.min(...counts)))
  throw new RangeError(`--train must leave held-out images (test sets: ${Math.min(...counts)})`);
const seen = withTestImages(zoo, 0, train);
const heldOut = withTestImages(zoo, train, Infinity);
const heldOutCount = Math.min(...counts) - train;
log(`zoo ${values.pool}; tfjs ${used}; λ trained on images 0–${train - 1}, scored on the rest`);

const base = await zooResults(heldOut, {
  onRow: (r) => log(`${r.method}: ${(100 * r.average).toFixed(1)} (held out)`),
});
const LABEL: Record<AdaMergingObjective, string> = {
  'cross-entropy': 'oracle (cross-entropy)',
  entropy: 'AdaMerging (entropy)',
};
type Run = { label: string; heldOut: TableRow; seen: TableRow; result: AdaMergingResult };
const runs: Run[] = [];
for (const file of values.from ? list(values.from) : []) {
  // lambdaMeanPerTask rides along in `result`; write() recomputes it.
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    runs: (AdaMergingResult & Omit<Run, 'result'>)[];
  };
  for (const { label, heldOut, seen, ...result } of saved.runs)
    runs.push({ label, heldOut, seen, result });
}

/** Label → summed mean entropy of the merge on all seen images (filled at the end). */
const entropies = new Map<string, number>();

/**
 * Σₖ mean entropy of task k's head on all `train` seen images of task k at λ (a batch of
 * `train` from a set of `train` is the whole set): does entropy rank the merges as accuracy does?
 */
function entropyAt(lambdas: number[][]): Promise<number> {
  const mode: AdaMergingMode = lambdas[0]!.length === 1 ? 'task' : 'layer';
  return lossAt(seen, { mode, batchSize: train, seed, engine: 'tfjs' }, lambdas);
}

function write(print = false): void {
  const pts = (x: number): string => (100 * x).toFixed(1);
  const tasks = base.tasks;
  const lines = [
    `| method | ${tasks.join(' | ')} | **Avg** | Avg on the ${train} seen |`,
    `|---|${tasks.map(() => '---:').join('|')}|---:|---:|`,
    ...base.rows.map(
      (r) =>
        `| ${r.method} | ${tasks.map((t) => pts(r.perTask[t]!)).join(' | ')} | **${pts(r.average)}** | |`,
    ),
    ...runs.map(
      (r) =>
        `| ${r.label} | ${tasks.map((t) => pts(r.heldOut.perTask[t]!)).join(' | ')} | **${pts(r.heldOut.average)}** | ${pts(r.seen.average)} |`,
    ),
  ];
  if (print) {
    console.log(lines.join('\n'));
    console.log(`\nΣ entropy on the ${train} seen images per task:`);
    for (const [label, h] of entropies) console.log(`- ${label}: ${h.toFixed(3)}`);
  }
  writeFileSync(
    values.json,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        pool: values.pool,
        backend: used,
        trainImages: `0–${train - 1} of every test set`,
        scoredImages: `${train}–${train + heldOutCount - 1} of every test set`,
        steps,
        seed,
        baselines: base.rows,
        entropyOnSeen: Object.fromEntries(entropies),
        runs: runs.map((r) => ({
          label: r.label,
          heldOut: r.heldOut,
          seen: r.seen,
          lambdaMeanPerTask: r.result.lambdas.map(mean),
          ...r.result,
        })),
      },
      null,
      1,
    )}\n`,
  );
}

for (const objective of list(values.objectives) as AdaMergingObjective[]) {
  for (const lr of list(values.lrs).map(Number)) {
    for (const mode of list(values.variants) as AdaMergingMode[]) {
      const label = `${mode === 'layer' ? 'Layer' : 'Task'}-wise λ, ${LABEL[objective] ?? objective}, lr ${lr}`;
      if (runs.some((r) => r.label === label)) continue;
      log(`${label} …`);
      // The oracle exists on tfjs autodiff only; entropy runs there too unless --fused.
      const fused = objective === 'entropy' && gpu !== null;
      const { result, merged } = await runAdaMerging(
        seen,
        { mode, objective, lr, steps, seed, engine: fused ? 'auto' : 'tfjs' },
        {
          onStep: (e) => {
            if (e.step % 50 === 0 || e.step === 1)
              log(`  step ${e.step} loss ${e.entropyTotal.toFixed(4)} (${e.ms.toFixed(0)} ms)`);
          },
        },
        fused ? gpu : null,
      );
      const row = await evaluateEncoder(label, merged, heldOut);
      const seenRow = await evaluateEncoder(label, merged, seen);
      log(
        `${label}: ${(100 * row.average).toFixed(1)} held out, ${(100 * seenRow.average).toFixed(1)} seen; loss ${result.firstEntropy.toFixed(3)} → ${result.lastEntropy.toFixed(3)} (${result.seconds.toFixed(0)} s)`,
      );
      runs.push({ label, heldOut: row, seen: seenRow, result });
      write(); // after every run, so an interrupted table still has the finished rows
    }
  }
}
const T = base.tasks.length;
entropies.set('Base + task heads (λ = 0)', await entropyAt(Array.from({ length: T }, () => [0])));
entropies.set('Task arithmetic (λ = 0.3)', await entropyAt(Array.from({ length: T }, () => [0.3])));
for (const r of runs) entropies.set(r.label, await entropyAt(r.result.lambdas));
write(true);
log(`wrote ${values.json}`);
process.exit(0);
