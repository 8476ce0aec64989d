/**
 * `npm run adamerging:table [-- --pool public/zoo --steps 500 --seed 0 --device wasm]`: the
 * paper-shaped results table on the zoo — individual, base, weight averaging, task arithmetic,
 * TIES (src/eval's rows), then task-wise / layer-wise AdaMerging and their ++ variants —
 * written to docs/results-adamerging.json and into docs/adamerging.md between the
 * `results:start/end` markers. Entropy is minimised on each task's unlabeled test inputs (as in
 * the paper); accuracy is measured on the same test sets with their labels.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  evaluateEncoder,
  mean,
  resultsMarkdown,
  zooResults,
  type TableRow,
} from '../../src/eval/zoo-table';
import { nodeGpu } from '../../src/gpu/node-gpu';
import { initTf, parseTfDevice } from '../../src/tf/backend';
import { loadZoo } from '../../src/zoo/load';
import { runAdaMerging } from '../../src/adapt/adamerging/run';
import type { AdaMergingMode, AdaMergingResult } from '../../src/adapt/adamerging/types';

const { values } = parseArgs({
  options: {
    pool: { type: 'string', default: 'public/zoo' },
    steps: { type: 'string', default: '500' },
    seed: { type: 'string', default: '0' },
    device: { type: 'string', default: 'wasm' },
    limit: { type: 'string' },
    doc: { type: 'string', default: 'docs/adamerging.md' },
    json: { type: 'string', default: 'docs/results-adamerging.json' },
    /** Only these runs (comma list of task, task++, layer, layer++; default all four). */
    variants: { type: 'string', default: 'layer,task,layer++,task++' },
    /** JSON files written by earlier (e.g. parallel) runs of this script: their runs are reused. */
    from: { type: 'string' },
  },
});
const steps = Number(values.steps);
const seed = Number(values.seed);
const limit = values.limit === undefined ? undefined : Number(values.limit);
const device = parseTfDevice(values.device);
const log = (line: string): void =>
  console.log(`[adamerging ${new Date().toISOString().slice(11, 19)}] ${line}`);

const used = await initTf(device, { gpu: device === 'webgpu' ? await nodeGpu() : null });
const zoo = await loadZoo(values.pool);
log(
  `zoo ${values.pool}: ${zoo.manifest.tasks.length} tasks; tfjs ${used}; ${steps} steps, seed ${seed}`,
);

const base = await zooResults(zoo, {
  limit,
  onRow: (r) => log(`${r.method}: ${(100 * r.average).toFixed(1)}`),
});
const VARIANTS: Record<string, { mode: AdaMergingMode; plus: boolean; label: string }> = {
  task: { mode: 'task', plus: false, label: 'Task-wise AdaMerging' },
  'task++': { mode: 'task', plus: true, label: 'Task-wise AdaMerging++' },
  layer: { mode: 'layer', plus: false, label: 'Layer-wise AdaMerging' },
  'layer++': { mode: 'layer', plus: true, label: 'Layer-wise AdaMerging++' },
};
const ORDER = [
  'Task-wise AdaMerging',
  'Task-wise AdaMerging++',
  'Layer-wise AdaMerging',
  'Layer-wise AdaMerging++',
];
const variants = values.variants.split(',').map((v) => {
  const found = VARIANTS[v.trim()];
  if (!found) throw new Error(`unknown variant "${v}"; known: ${Object.keys(VARIANTS).join(', ')}`);
  return found;
});
type Run = { label: string; result: AdaMergingResult; row: TableRow };
const runs: Run[] = [];
for (const file of values.from?.split(',') ?? []) {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    runs: (AdaMergingResult & { label: string; row: TableRow })[];
  };
  for (const { label, row, ...result } of saved.runs) runs.push({ label, row, result });
}
const rows = [...base.rows];
function syncRows(): void {
  rows.splice(base.rows.length);
  for (const label of ORDER) {
    const run = runs.find((r) => r.label === label);
    if (run) rows.push(run.row);
  }
}

function write(): void {
  const results = { ...base, rows };
  const taRow = rows.find((r) => r.method.startsWith('Task arithmetic'));
  const tiesRows = rows.filter((r) => r.method.startsWith('TIES'));
  const bestTies = Math.max(...tiesRows.map((r) => r.average));
  const get = (label: string): number | undefined => rows.find((r) => r.method === label)?.average;
  const pts = (x: number): string => (100 * x).toFixed(1);
  const checks: string[] = [];
  const layer = get('Layer-wise AdaMerging');
  const task = get('Task-wise AdaMerging');
  if (taRow && layer !== undefined)
    checks.push(
      `- layer-wise AdaMerging − task arithmetic = ${pts(layer - taRow.average)} points (goal ≥ +5.0): ${layer - taRow.average >= 0.05 ? 'met' : 'NOT met'}`,
      `- layer-wise AdaMerging − best TIES row = ${pts(layer - bestTies)} points (goal ≥ 0): ${layer >= bestTies ? 'met' : 'NOT met'}`,
    );
  if (taRow && task !== undefined)
    checks.push(
      `- task-wise AdaMerging − task arithmetic = ${pts(task - taRow.average)} points (goal ≥ 0): ${task >= taRow.average ? 'met' : 'NOT met'}`,
    );
  const ordered = ORDER.flatMap((l) => runs.filter((r) => r.label === l));
  const lambdaLines = ordered.map(({ label, result }) => {
    const means = result.lambdas.map(mean);
    return `| ${label} | ${means.map((m) => m.toFixed(2)).join(' | ')} | ${result.firstEntropy.toFixed(3)} → ${result.lastEntropy.toFixed(3)} | ${result.seconds.toFixed(0)} s |`;
  });
  const md = [
    `Generated by \`npm run adamerging:table -- --pool ${values.pool}\` (${steps} Adam steps per AdaMerging run, lr 1e-3, batch 16 per task, 1 batch per task per step, λ₀ = 0.3, clamp to [0, 1], seed ${seed}, tfjs ${used} in Node).`,
    '',
    resultsMarkdown(results),
    '',
    'Goals of the issue:',
    '',
    ...checks,
    '',
    'Learned λ (mean over the tensors for layer-wise) per task, summed entropy at the first → last step, and run time:',
    '',
    `| run | ${base.tasks.join(' | ')} | entropy | time |`,
    `|---|${base.tasks.map(() => '---:').join('|')}|---|---:|`,
    ...lambdaLines,
  ].join('\n');
  writeFileSync(
    values.json,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        pool: values.pool,
        steps,
        seed,
        backend: used,
        ...results,
        runs: runs.map(({ label, result, row }) => ({ label, row, ...result })),
      },
      null,
      1,
    )}\n`,
  );
  if (existsSync(values.doc)) {
    const doc = readFileSync(values.doc, 'utf8');
    const start = '<!-- results:start -->';
    const end = '<!-- results:end -->';
    const a = doc.indexOf(start);
    const b = doc.indexOf(end);
    if (a >= 0 && b > a)
      writeFileSync(values.doc, `${doc.slice(0, a + start.length)}\n\n${md}\n\n${doc.slice(b)}`);
  } else {
    console.log(md);
  }
}

syncRows();
for (const v of variants) {
  if (runs.some((r) => r.label === v.label)) continue;
  log(`${v.label} …`);
  const { result, merged } = await runAdaMerging(
    zoo,
    { mode: v.mode, plus: v.plus, steps, seed },
    {
      onStep: (e) => {
        if (e.step % 50 === 0 || e.step === 1)
          log(`  step ${e.step} entropy ${e.entropyTotal.toFixed(4)} (${e.ms.toFixed(0)} ms)`);
      },
    },
  );
  const row = await evaluateEncoder(v.label, merged, zoo, { limit });
  log(`${v.label}: ${(100 * row.average).toFixed(1)} (${result.seconds.toFixed(0)} s)`);
  runs.push({ label: v.label, result, row });
  syncRows();
  write(); // after every run, so an interrupted table still has the finished rows
}
write();
log(`wrote ${values.json} and ${values.doc}`);
process.exit(0);
