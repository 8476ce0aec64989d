/**
 * `npm run bench [-- --gb 2] [--matrix 2048] [--only node|chromium|adamerging|clip|ui|ui-clip|simo|svd] [--devices cpu,webgpu] [--cases a,b]
 * [--timeout s]`: the merge
 * benchmark. Generates (once) a pool of a base + 8 fine-tunes of at least 2 GB of f32, runs every
 * method on the CPU reference and on WebGPU, in Node (CLI runtime) and in headless Chromium, and
 * writes bench/results/merge.json plus the table in docs/bench.md. Ratios are measured within
 * one run: merge time / time to read the same bytes in the same runtime, WebGPU / CPU reference.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePool, largestTensorBytes, layoutBytes, poolLayout } from './pool';
import { runNodeMergeBench, type MergeMeasurement } from './run-merge-node';
import { runBrowserMergeBench } from './run-merge-browser';
import { mergeTable } from './report';
import { MERGE_CASES } from './merge-cases';
import { writeBenchSection } from './sections';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// `--only adamerging`: the AdaMerging benchmark (bench/adamerging.ts, which exits when done).
if (arg('only') === 'adamerging') await import('./adamerging');
// `--only clip`: your own CLIP models (bench/clip.ts, which exits when done).
if (arg('only') === 'clip') await import('./clip');
// `--only ui`: the studio in headless Chromium at the default URL (bench/ui.ts: Load demo →
// first results, Live slider → estimate and full sets, frames/s during AdaMerging).
if (arg('only') === 'ui') {
  await import('./ui');
  process.exit(0);
}
// `--only ui-clip`: the same on the CLIP demo at the README's `/?demo=clip` (bench/ui-clip.ts).
if (arg('only') === 'ui-clip') {
  await import('./ui-clip');
  process.exit(0);
}
// `--only simo`: both SIMO fixes on the demo pool, Chromium (wasm, WebGPU) and Node (bench/simo.ts).
if (arg('only') === 'simo') await import('./simo');
// `--only svd [--size n]`: the SVD merges' exact SVD, WebGPU vs CPU (bench/svd.ts).
if (arg('only') === 'svd') await import('./svd');

const gb = Number(arg('gb') ?? 2);
// --matrix <n>: the pool's matrices are n² and (n/2)² instead of 2048² and 1024² (SVD merges).
const width = Number(arg('matrix') ?? 2048);
// --only node|chromium limits the runtimes; --only merge (this script's only section) = both.
const only = arg('only') === 'merge' ? undefined : arg('only');
// --timeout <s>: a measurement still running after this long is recorded as not finished.
const timeoutSeconds = Number(arg('timeout') ?? Infinity);
const devices = (arg('devices') ?? 'cpu,webgpu').split(',') as ('cpu' | 'webgpu')[];
const shapeTag = width === 2048 ? '' : `_${width}`;
const poolDir = arg('pool') ?? join(tmpdir(), `merge-studio-bench-${gb}gb${shapeTag}`);
const log = (line: string) => console.log(`[bench] ${line}`);
// The issue's 2 GB pool is `merge`; other pool sizes (quick looks) get their own files.
const resultId = gb === 2 && !shapeTag ? 'merge' : `merge_${gb}gb${shapeTag}`;
const layout = poolLayout(gb * 1e9, 8, width);
const title =
  resultId === 'merge'
    ? 'Merge engine'
    : `Merge engine, ${(layoutBytes(layout) / 1e9).toFixed(2)} GB pool${shapeTag ? ` of ${width}² and ${width / 2}² matrices` : ''}`;

log(`pool: ${(layoutBytes(layout) / 1e9).toFixed(2)} GB in ${poolDir}`);
await ensurePool(poolDir, layout);

/**
 * A partial run (--only, --devices, --cases) replaces its own rows in merge.json and keeps
 * the others measured on the same pool, so a long benchmark can be run in parts.
 */
function mergeWithPrevious(fresh: MergeMeasurement[], poolBytes: number): MergeMeasurement[] {
  const path = `bench/results/${resultId}.json`;
  if (!existsSync(path)) return fresh;
  const old = JSON.parse(readFileSync(path, 'utf8')) as {
    poolBytes?: number;
    rows?: MergeMeasurement[];
  };
  if (old.poolBytes !== poolBytes) return fresh;
  const key = (r: MergeMeasurement) => `${r.runtime}/${r.device}/${r.case}`;
  const replaced = new Set(fresh.map(key));
  const order = (r: MergeMeasurement) =>
    `${r.runtime === 'node' ? 0 : 1}/${String(MERGE_CASES.findIndex((c) => c.id === r.case)).padStart(2, '0')}/${r.device}`;
  return [...(old.rows ?? []).filter((r) => !replaced.has(key(r))), ...fresh].sort((a, b) =>
    order(a).localeCompare(order(b)),
  );
}

const rows: MergeMeasurement[] = [];
// --report-only: no measurement, rebuild the table (and notes) from the stored results.
const reportOnly = process.argv.includes('--report-only');
if (!reportOnly && only !== 'chromium')
  rows.push(...runNodeMergeBench(poolDir, devices, log, timeoutSeconds));
if (!reportOnly && only !== 'node')
  rows.push(...(await runBrowserMergeBench(poolDir, devices, log, timeoutSeconds)));

const ctx = {
  poolBytes: layoutBytes(layout),
  largestTensorBytes: largestTensorBytes(layout),
  fineTunes: layout.fineTunes,
};
mkdirSync('bench/results', { recursive: true });
const all = mergeWithPrevious(rows, ctx.poolBytes);
// A rebuilt report keeps the date of the stored measurements.
const resultPath = `bench/results/${resultId}.json`;
const storedDate =
  reportOnly && existsSync(resultPath)
    ? (JSON.parse(readFileSync(resultPath, 'utf8')) as { date?: string }).date
    : undefined;
const date = storedDate ?? new Date().toISOString();
writeFileSync(resultPath, JSON.stringify({ date, ...ctx, rows: all }, null, 2));
// Hand-written analysis (what limits each target) goes under the generated table: the 2 GB
// pool's in bench/merge-notes.md, another pool's in bench/<result id>-notes.md when there is one.
const notesPath = resultId === 'merge' ? 'bench/merge-notes.md' : `bench/${resultId}-notes.md`;
const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '';
await writeBenchSection(resultId, title, `${mergeTable(all, ctx)}\n\n${notes}`.trimEnd(), date);
log(`wrote bench/results/${resultId}.json and docs/bench.md`);
process.exit(0);
