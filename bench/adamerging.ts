/**
 * `npx tsx bench/adamerging.ts [--only node|chromium] [--steps 8] [--total 500]`: ms per
 * layer-wise AdaMerging step (8 tasks × 16 images, the zoo's ViT) on webgpu, wasm and cpu, in
 * Node and in headless Chromium (lavapipe), with where the time goes; then the wall-clock time
 * of a whole `--total`-step run on Chromium's fastest backend. Writes bench/results/adamerging.json
 * and its section of docs/bench.md. The weights are synthetic: the cost does not depend on them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';
import { measureSteps, type StepMeasurement } from '../src/adapt/adamerging/measure';
import { syntheticZoo } from '../src/adapt/adamerging/testing/synthetic-zoo';
import { DEFAULT_VIT_CONFIG } from '../src/models/vit-config';
import { initTf, type TfDevice } from '../src/tf/backend';
import { nodeGpu } from '../src/gpu/node-gpu';
import { adapterLabel } from '../src/gpu/adapter';
import { writeBenchSection } from './sections';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const only = arg('only');
const steps = Number(arg('steps') ?? 8);
const total = Number(arg('total') ?? 500);
const DEVICES = (arg('devices') ?? 'webgpu,wasm,cpu').split(',') as TfDevice[];
/** tfjs-backend-webgpu's WEBGPU_MATMUL_PROGRAM_TYPE for the page (-1: tfjs chooses). */
const matmulPrograms = (arg('matmul') ?? '-1').split(',').map(Number);
const log = (line: string): void => console.log(`[bench adamerging] ${line}`);
/** The cpu backend takes seconds per step: fewer timed steps there. */
const stepsFor = (device: TfDevice): number => (device === 'cpu' ? Math.min(steps, 3) : steps);

interface Row extends StepMeasurement {
  runtime: 'node' | 'chromium';
  device: TfDevice;
  adapter: string;
}

async function nodeRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const gpu = await nodeGpu();
  for (const device of DEVICES) {
    const used = await initTf(device, { gpu: device === 'webgpu' ? gpu : null });
    if (used !== device) {
      log(`node ${device}: not available (got ${used}), skipped`);
      continue;
    }
    const zoo = syntheticZoo({ tasks: 8, images: 64, config: { ...DEFAULT_VIT_CONFIG } });
    const m = await measureSteps(zoo, { mode: 'layer' }, stepsFor(device));
    const adapter = device === 'webgpu' && gpu ? adapterLabel(gpu.info) : device;
    rows.push({ runtime: 'node', device, adapter, ...m });
    log(`node ${device}: ${m.msPerStep.toFixed(0)} ms/step ${JSON.stringify(m.phases)}`);
  }
  return rows;
}

type InPage = StepMeasurement & { adapter: string; crossOriginIsolated: boolean };

async function chromiumRows(): Promise<{ rows: Row[]; run?: Record<string, number | string> }> {
  const server = await createServer({
    configFile: 'vite.config.ts',
    server: { port: 5212, hmr: false, watch: { ignored: ['**/*'] } },
    logLevel: 'error',
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? 'http://localhost:5212/';
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const call = async <T>(name: string, ...args: unknown[]): Promise<T> => {
    const page = await browser.newPage(); // fresh page: no backend state carried over
    await page.goto(url);
    try {
      return (await page.evaluate(
        async ([path, fn, a]) => {
          const mod = (await import(/* @vite-ignore */ path)) as Record<
            string,
            (...x: unknown[]) => Promise<unknown>
          >;
          return mod[fn]!(...(a as unknown[]));
        },
        ['/src/adapt/adamerging/in-page.ts', name, args] as const,
      )) as T;
    } finally {
      await page.close();
    }
  };
  const rows: Row[] = [];
  let run: Record<string, number | string> | undefined;
  try {
    for (const device of DEVICES) {
      for (const program of device === 'webgpu' ? matmulPrograms : [-1]) {
        const m = await call<InPage>('measureInPage', device, stepsFor(device), 'zoo', program);
        const adapter = program >= 0 ? `${m.adapter}, matMul program ${program}` : m.adapter;
        rows.push({ runtime: 'chromium', device, ...m, adapter });
        log(
          `chromium ${device} (${adapter}${device === 'wasm' ? `, crossOriginIsolated ${m.crossOriginIsolated}` : ''}): ${m.msPerStep.toFixed(0)} ms/step ${JSON.stringify(m.phases)}`,
        );
      }
    }
    if (total > 0) {
      const fastest = rows.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
      log(`chromium: ${total} layer-wise steps on ${fastest.device} …`);
      run = await call<Record<string, number | string>>('totalRunInPage', fastest.device, total);
      log(`chromium ${fastest.device}: ${total} steps in ${Number(run.seconds).toFixed(1)} s`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { rows, run };
}

const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '–');

function markdown(rows: Row[], run: Record<string, number | string> | undefined): string {
  const lines = [
    'AdaMerging, layer-wise (one λ per task per encoder tensor, 8 × 54), one Adam step = merge',
    'θ₀ + Σ λ·τ for 54 tensors, forward of 8 tasks × 16 images through the zoo ViT (dim 48,',
    'depth 4, 17 tokens), entropy of each task head, backward to λ, Adam, read back losses + λ.',
    'Median of the timed steps after two warm-up steps. Phases come from separate profiled steps',
    'in which each phase is forced to finish on the device before the next starts.',
    '',
    '| runtime | backend | adapter | ms/step | cold step ms | merge | forward | backward | Adam | readback | 500 steps (est.) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.runtime} | ${r.device} | ${r.adapter} | ${f0(r.msPerStep)} | ${f0(r.coldMs)} | ${f0(r.phases.merge)} | ${f0(r.phases.forward)} | ${f0(r.phases.backward)} | ${f0(r.phases.update)} | ${f0(r.phases.readback)} | ${((500 * r.msPerStep) / 1000).toFixed(0)} s |`,
    ),
  ];
  const ratio = (runtime: string): string => {
    const g = rows.find((r) => r.runtime === runtime && r.device === 'webgpu');
    const w = rows.find((r) => r.runtime === runtime && r.device === 'wasm');
    return g && w ? `${runtime}: webgpu/wasm = ${(g.msPerStep / w.msPerStep).toFixed(2)}` : '';
  };
  lines.push(
    '',
    `Ratios within this run — ${[ratio('chromium'), ratio('node')].filter(Boolean).join('; ')}.`,
  );
  if (run)
    lines.push(
      '',
      `Measured end to end in Chromium: ${run.steps} layer-wise steps on ${run.backend} in ${Number(run.seconds).toFixed(1)} s (${Number(run.msPerStep).toFixed(0)} ms/step; target ≤ 60 s).`,
    );
  return lines.join('\n');
}

const rows: Row[] = [];
let run: Record<string, number | string> | undefined;
if (only !== 'chromium') rows.push(...(await nodeRows()));
if (only !== 'node') {
  const c = await chromiumRows();
  rows.push(...c.rows);
  run = c.run;
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/adamerging.json',
  JSON.stringify(
    { date: new Date().toISOString(), stepsTimed: steps, rows, totalRun: run ?? null },
    null,
    2,
  ),
);
await writeBenchSection('adamerging', 'AdaMerging', markdown(rows, run));
log('wrote bench/results/adamerging.json and docs/bench.md');
process.exit(0);
