/**
 * The CLIP demo as the README opens it (`/?demo=clip`, no other flags) in headless Chromium
 * (lavapipe WebGPU), a production build and a fresh profile: the page loads the published zoo
 * (public/clip-zoo) and computes its table by itself; then with "Live estimate" on, λ slider
 * release → the Live row (32 images a task); Evaluate → every row on the full test sets; and
 * the page's frame rate while layer-wise CLIP AdaMerging runs in the worker.
 *
 *   npm run bench -- --only ui-clip [--samples 10] [--ada-steps 10] [--ada-long 500] [--dev]
 *
 * `--ada-long N` (0: skip) also times N layer-wise AdaMerging steps (issue #17: the paper's 500)
 * in a fresh page per forced tfjs backend (`?tf=webgpu`, `?tf=wasm`), for the ratio.
 *
 * Writes bench/results/ui-clip.json and the "Studio UI: the CLIP demo" section of docs/bench.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';
import { writeBenchSection } from './sections';
import {
  arg,
  dragSlider,
  DEV,
  log,
  loadNote,
  median,
  startFrameCounter,
  startServer,
  stopFrameCounter,
  watchLiveRow,
  type AdaResult,
} from './ui-common';

const SAMPLES = Number(arg('samples', '10'));
const ADA_STEPS = Number(arg('ada-steps', '10'));
const ADA_LONG = Number(arg('ada-long', '500'));
const LONG_BACKENDS = ['webgpu', 'wasm'] as const;
const zoo = JSON.parse(readFileSync('public/clip-zoo/clip-zoo.json', 'utf8')) as {
  scale: string;
  seed: number;
  tasks: unknown[];
};

interface DemoTimes {
  /** → the CLIP panel's table filled (zero-shot, fine-tunes, TA, TIES) and its job gone. */
  tableMs: number;
  /** → Results' task-arithmetic row (the main panels' merge, made after that table). */
  mainMs: number;
}

/** `/?demo=clip` → the demo's merged rows filled and its job gone, then Results' merge row. */
async function demoTable(page: Page, baseUrl: string, query = ''): Promise<DemoTimes> {
  const t0 = Date.now();
  await page.goto(new URL(`/?demo=clip${query}`, baseUrl).href);
  const table = page.getByTestId('clip-results');
  for (const method of ['task_arithmetic', 'ties'])
    await table
      .locator(`tr[data-method="${method}"] td`)
      .first()
      .filter({ hasText: /%$/ })
      .waitFor({ timeout: 1_800_000 });
  await page.getByTestId('clip-job').waitFor({ state: 'detached', timeout: 1_800_000 });
  const tableMs = Date.now() - t0;
  await page
    .locator('.area-results [data-testid="results-table"] tr[data-method="task_arithmetic"] td')
    .first()
    .filter({ hasText: /%$/ })
    .waitFor({ timeout: 1_800_000 });
  const mainMs = Date.now() - t0;
  log(`/?demo=clip → the table: ${tableMs} ms; → Results' merge row: ${mainMs} ms`);
  return { tableMs, mainMs };
}

async function dragLambda(page: Page, fraction: number): Promise<string> {
  const slider = page.getByRole('slider', { name: 'CLIP merge λ' });
  await dragSlider(page, slider, 0.1, fraction);
  return Number(await slider.inputValue()).toFixed(2);
}

interface LiveResult {
  /** Release → the Live row showing the released λ. */
  latencyMs: number[];
  latencyMedianMs: number;
}

async function liveSamples(page: Page): Promise<LiveResult> {
  await page.getByLabel(/^Live estimate/).check();
  const row = page.getByTestId('clip-results').locator('tr[data-method="live"]');
  await row.waitFor({ timeout: 600_000 });
  await watchLiveRow(page, 'clip-results');
  const latencyMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Alternate between two λ, each away from the last one, so every release changes the row.
    const lambda = await dragLambda(page, i % 2 === 0 ? 0.2 : 0.4);
    const label = `λ=${lambda}`;
    await page.waitForFunction(
      `(window.__rows.at(-1)?.text ?? '').includes(${JSON.stringify(label)}) && /%/.test(window.__rows.at(-1).text)`,
      undefined,
      { timeout: 600_000, polling: 20 },
    );
    const ms = await page.evaluate(`(() => {
      const up = window.__ups.at(-1);
      const hit = window.__rows.find((r) => r.t > up && r.text.includes(${JSON.stringify(label)}) && /%/.test(r.text));
      return hit.t - up;
    })()`);
    latencyMs.push(ms as number);
    log(`live sample ${i + 1}/${SAMPLES}: λ ${lambda} → row in ${(ms as number).toFixed(0)} ms`);
  }
  await page.getByLabel(/^Live estimate/).uncheck();
  return { latencyMs, latencyMedianMs: median(latencyMs) };
}

/** Evaluate → every row on the full test sets, the job gone. */
async function evaluateAll(page: Page): Promise<number> {
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await page.getByTestId('clip-job').waitFor({ timeout: 60_000 });
  await page.getByTestId('clip-job').waitFor({ state: 'detached', timeout: 1_800_000 });
  const ms = Date.now() - t0;
  log(`Evaluate (full sets) → ${ms} ms`);
  return ms;
}

async function adaFrames(page: Page, steps = ADA_STEPS): Promise<AdaResult> {
  await page.getByLabel('AdaMerging steps', { exact: true }).fill(String(steps));
  await startFrameCounter(page);
  const started = Date.now();
  await page.getByRole('button', { name: 'Run CLIP AdaMerging' }).click();
  await page
    .locator('[data-testid="clip-ada"][data-status="done"]')
    .waitFor({ timeout: 1_800_000 });
  const adaSeconds = (Date.now() - started) / 1000;
  const rate = await stopFrameCounter(page);
  log(`CLIP AdaMerging ${steps} steps in ${adaSeconds.toFixed(1)} s, ${rate.fpsMedian} frames/s`);
  return { adaSteps: steps, adaSeconds, ...rate };
}

/** `ADA_LONG` layer-wise steps in a fresh page with tfjs forced to each backend. */
async function longRuns(browser: Browser, baseUrl: string): Promise<Record<string, AdaResult>> {
  const runs: Record<string, AdaResult> = {};
  for (const tf of ADA_LONG > 0 ? LONG_BACKENDS : []) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await demoTable(page, baseUrl, `&tf=${tf}`);
    runs[tf] = await adaFrames(page, ADA_LONG);
    await page.close();
  }
  return runs;
}

const loadStart = loadavg();
const { baseUrl, close } = await startServer();
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
let result: {
  demo: DemoTimes;
  live: LiveResult;
  evaluateMs: number;
  ada: AdaResult;
  long: Record<string, AdaResult>;
};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const demo = await demoTable(page, baseUrl);
  const backend = page.getByTestId('eval-backend');
  if ((await backend.count()) > 0)
    log(
      `evaluation on ${await backend.getAttribute('data-backend')} (${await backend.getAttribute('data-how')})`,
    );
  const live = await liveSamples(page);
  const evaluateMs = await evaluateAll(page);
  const ada = await adaFrames(page);
  await page.close();
  result = { demo, live, evaluateMs, ada, long: await longRuns(browser, baseUrl) };
} finally {
  await browser.close();
  await close();
}
const loadEnd = loadavg();
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/ui-clip.json',
  `${JSON.stringify({ zoo: { scale: zoo.scale, seed: zoo.seed, tasks: zoo.tasks.length }, build: DEV ? 'dev' : 'production', samples: SAMPLES, loadAverage: { start: loadStart, end: loadEnd }, ...result }, null, 2)}\n`,
);
const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const { live, ada, long } = result;
const longRows = Object.entries(long).map(
  ([tf, r]) =>
    `| ${r.adaSteps} layer-wise AdaMerging steps with \`?tf=${tf}\` (the paper's count; fresh page) | **${r.adaSeconds.toFixed(0)} s** (${((r.adaSeconds * 1000) / r.adaSteps).toFixed(0)} ms/step, ${r.fpsMedian} frames/s) | ≤ 60 s (issue #17) |`,
);
const ratio =
  long.webgpu && long.wasm
    ? [
        '',
        `WebGPU / wasm time for the ${ADA_LONG} steps: ${(long.webgpu.adaSeconds / long.wasm.adaSeconds).toFixed(2)}.`,
      ]
    : [];
const markdown = [
  `The README's URL \`/?demo=clip\` on the published CLIP zoo (public/clip-zoo: ${zoo.tasks.length} tasks, ${zoo.scale} scale, seed ${zoo.seed}), ${DEV ? 'Vite dev server' : 'production build (`vite build` + `vite preview`)'}, headless Chromium with the lavapipe WebGPU adapter, a fresh profile, 1400 × 900.`,
  '',
  `Load average (1 / 5 / 15 min) at the start: ${load(loadStart)}; at the end: ${load(loadEnd)}${loadNote(loadStart)}; one run.`,
  '',
  '| step | time | target (issue #18) |',
  '|---|---:|---|',
  `| \`/?demo=clip\` → the CLIP panel's table (zero-shot, fine-tunes, task arithmetic, TIES) | ${(result.demo.tableMs / 1000).toFixed(1)} s | – |`,
  `| \`/?demo=clip\` → Results' merge row (base + heads and fine-tunes copied, the zoo's λ merged and evaluated) | ${(result.demo.mainMs / 1000).toFixed(1)} s | – |`,
  `| λ slider release → the Live row (32 images a task), median of ${SAMPLES} (range) | **${live.latencyMedianMs.toFixed(0)} ms** (${range(live.latencyMs)}) | ≤ 300 ms |`,
  `| Evaluate → every row on the full test sets | **${(result.evaluateMs / 1000).toFixed(1)} s** | ≤ 2 s (the v1 zoo's full-set target) |`,
  `| frames/s while layer-wise CLIP AdaMerging runs (${ada.adaSteps} steps in ${ada.adaSeconds.toFixed(0)} s): median / mean / worst second | **${ada.fpsMedian}** / ${ada.fpsMean.toFixed(1)} / ${ada.fpsWorstSecond} | ≥ 30 median |`,
  ...longRows,
  ...ratio,
].join('\n');
await writeBenchSection('ui-clip', 'Studio UI: the CLIP demo', markdown);
log('wrote bench/results/ui-clip.json and docs/bench.md');
