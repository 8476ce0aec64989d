/**
 * `npm run bench -- --only simo [--steps 300] [--runtimes node,chromium] [--devices wasm,webgpu]`:
 * the SIMO fixes on the committed demo pool (public/simo) as the panel runs them — task
 * arithmetic λ 0.3, head then representation re-alignment, 5 % of the training scenes as validation images, 48 test
 * scenes — timed per fix: in headless Chromium on each tfjs backend (the issue's target: both
 * fixes ≤ 60 s on the faster one) and in Node on wasm (the CLI's runtime). Each row carries the
 * table's ΔMTL, so a backend that trains differently shows. Writes bench/results/simo.json and
 * its section of docs/bench.md, with the load average around each run (the machine is shared).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { HEAD_ROW, REPRESENTATION_ROW, readSimoPool } from '../src/adapt';
import type { SimoRow } from '../src/adapt/simo/table';
import { timedPanelRun, type SimoTiming } from '../src/adapt/simo/in-page';
import { initTf, type TfDevice } from '../src/tf/backend';
import { validationCount } from '../src/data';
import { withChromiumPages } from './in-page-call';
import { writeBenchSection } from './sections';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const steps = Number(arg('steps') ?? 300);
const runtimes = (arg('runtimes') ?? 'node,chromium').split(',');
const devices = (arg('devices') ?? 'wasm,webgpu').split(',') as TfDevice[];
const TEST_SCENES = 48;
const VAL_FRACTION = 0.05;
const POOL = 'public/simo';
const MANIFEST_TEXT = readFileSync(join(POOL, 'manifest.json'), 'utf8');
const { train } = (JSON.parse(MANIFEST_TEXT) as { data: { train: number } }).data;
const log = (line: string): void => console.log(`[bench simo] ${line}`);
const load = (): number => loadavg()[0]!;

interface Row {
  runtime: 'node' | 'chromium';
  backend: string;
  adapter: string;
  headSeconds: number;
  representationSeconds: number;
  wholeSeconds: number;
  /** ΔMTL % of the plain merge, after head and after representation re-alignment. */
  delta: { merged: number; head: number; representation: number };
  loadBefore: number;
  loadAfter: number;
}

function toRow(runtime: Row['runtime'], t: SimoTiming, loadBefore: number): Row {
  const row = (name: string): SimoRow => {
    const r = t.rows.find((x) => x.name === name);
    if (!r)
      throw new Error(`bench simo: no row "${name}" in ${t.rows.map((x) => x.name).join(', ')}`);
    return r;
  };
  // The table's rows: single-task, joint, the plain merge, then the fixes.
  const merged = t.rows[2]!;
  return {
    runtime,
    backend: t.backend,
    adapter: t.adapter,
    headSeconds: row(HEAD_ROW).seconds ?? NaN,
    representationSeconds: row(REPRESENTATION_ROW).seconds ?? NaN,
    wholeSeconds: t.seconds,
    delta: {
      merged: merged.delta,
      head: row(HEAD_ROW).delta,
      representation: row(REPRESENTATION_ROW).delta,
    },
    loadBefore,
    loadAfter: load(),
  };
}

/** The CLI's runtime: the same run in this process on tfjs-wasm. */
async function nodeRow(): Promise<Row> {
  const backend = await initTf('wasm');
  const pool = await readSimoPool(MANIFEST_TEXT, 'manifest.json', async (file) =>
    readFileSync(join(POOL, file)),
  );
  const before = load();
  const run = await timedPanelRun(pool, steps, TEST_SCENES, VAL_FRACTION);
  return toRow('node', { backend, adapter: backend, ...run }, before);
}

async function chromiumRows(): Promise<Row[]> {
  return withChromiumPages(5213, async (call) => {
    const rows: Row[] = [];
    for (const device of devices) {
      const before = load();
      const t = await call<SimoTiming>(
        '/src/adapt/simo/in-page.ts',
        'simoFixTimingInPage',
        device,
        steps,
        TEST_SCENES,
        VAL_FRACTION,
      );
      rows.push(toRow('chromium', t, before));
      log(`chromium ${device}: ${JSON.stringify(rows.at(-1))}`);
    }
    return rows;
  });
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} %`;

function table(rows: Row[]): string {
  const lines = [
    `Both SIMO fixes on the demo pool (public/simo: dim 32, 3 blocks, 32 px, 3 tasks) as the panel runs them: task arithmetic λ 0.3, ${steps} steps a fix (batch 16), ${validationCount(train, VAL_FRACTION)} validation images, ${TEST_SCENES} test scenes; one run each, backends one after another. Target (issue #20): both fixes ≤ 60 s in headless Chromium on the faster backend.`,
    '',
    '| runtime | backend | head re-align | representation re-align | both fixes | whole run (incl. evaluations) | ΔMTL merged / head / representation | load before → after |',
    '|---|---|---:|---:|---:|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.runtime} | ${r.backend}${r.backend === 'webgpu' ? ` (${r.adapter})` : ''} | ${f1(r.headSeconds)} s | ${f1(r.representationSeconds)} s | **${f1(r.headSeconds + r.representationSeconds)} s** | ${f1(r.wholeSeconds)} s | ${pct(r.delta.merged)} / ${pct(r.delta.head)} / ${pct(r.delta.representation)} | ${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)} |`,
    ),
  ];
  const chromium = rows.filter((r) => r.runtime === 'chromium');
  const wasm = chromium.find((r) => r.backend === 'wasm');
  const gpu = chromium.find((r) => r.backend === 'webgpu');
  if (wasm && gpu) {
    const both = (r: Row) => r.headSeconds + r.representationSeconds;
    lines.push(
      '',
      `In this run WebGPU (a software adapter on these GPU-less machines) takes ${(both(gpu) / both(wasm)).toFixed(1)}× wasm's time for both fixes. The ΔMTL columns agree across backends to the training's float noise: the training step on WebGPU equals the cpu backend's (e2e/simo-training.e2e.ts).`,
    );
  }
  return lines.join('\n');
}

const rows: Row[] = [];
if (runtimes.includes('chromium')) rows.push(...(await chromiumRows()));
if (runtimes.includes('node')) {
  rows.push(await nodeRow());
  log(`node wasm: ${JSON.stringify(rows.at(-1))}`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/simo.json',
  `${JSON.stringify({ measuredAt: new Date().toISOString(), steps, rows }, null, 2)}\n`,
);
await writeBenchSection('simo', 'SIMO re-alignment', table(rows));
log('wrote bench/results/simo.json and docs/bench.md');
process.exit(0);
