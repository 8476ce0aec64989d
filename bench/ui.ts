/**
 * Studio UI benchmark in headless Chromium (lavapipe WebGPU), the README's default path with a
 * fresh profile: Load demo → the merge and its first results (the page merges and evaluates by
 * itself, on the backend it measured); then with Live on, slider release → the estimate row and
 * → the full-set row (median of --samples releases); then the page's frame rate
 * (requestAnimationFrame callbacks per second) while layer-wise AdaMerging runs in the worker.
 * On the demo zoo when public/zoo/manifest.json exists, else on the e2e mini zoo.
 *
 *   npm run bench -- --only ui [--samples 20] [--ada-steps 10] [--tf auto[,wasm,webgpu]]
 *     [--parts live,ada] [--dev]
 *
 * `--tf auto` is the default URL; `wasm` / `webgpu` add `?tf=` (forced backend) for comparison.
 * Writes bench/results/ui.json and the "Studio UI" section of docs/bench.md.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { loadavg } from 'node:os';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';
import { buildMiniZoo, serveMiniZoo } from '../e2e/helpers/miniZoo';
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
  waitForText,
  watchLiveRow,
  type AdaResult,
} from './ui-common';

const SAMPLES = Number(arg('samples', '20'));
const ADA_STEPS = Number(arg('ada-steps', '10'));
const TF_MODES = arg('tf', 'auto').split(',') as TfMode[];
/** What to measure after the first results: the Live slider, AdaMerging's frame rate. */
const PARTS = arg('parts', 'live,ada').split(',');
const REAL_ZOO = existsSync('public/zoo/manifest.json');

/** `auto`: the README's URL (the studio picks the backend); others force `?tf=`. */
type TfMode = 'auto' | 'wasm' | 'webgpu';

interface FirstResults {
  /** Click on Load demo → the merge's summary (loading + merging). */
  mergedMs: number;
  /** … → the merge's row in Results (the base row is scored before it). */
  mergeRowMs: number;
  /** … → every row (base + heads, the merge, the fine-tunes) and the job gone. */
  allRowsMs: number;
  /** The tfjs backend evaluation ran on, as the header shows it, and how it was chosen. */
  backend: string;
  how: string;
  /** The header's tooltip: the probe's time per backend. */
  probe: string;
}

interface LiveResult {
  /** Release → first update of the Live row (the estimate on a subset, or the full result). */
  latencyMs: number[];
  latencyMedianMs: number;
  /** Release → the Live row on the full test sets. */
  fullMs: number[];
  fullMedianMs: number;
  /** Images per task behind each first update, as the row's badge says (null: no estimate). */
  estimateImages: (number | null)[];
  /** Worker-side medians of the estimate: merging, and merging + scoring. */
  workerMergeMedianMs: number | null;
  workerEstimateMedianMs: number | null;
}

interface ModeResult {
  tf: TfMode;
  first: FirstResults;
  live: LiveResult | null;
  ada: AdaResult | null;
}

/** Drags the first weight slider from two thirds of its width to `fraction` and releases it. */
const dragTo = (page: Page, fraction: number) =>
  dragSlider(page, page.getByRole('slider', { name: /^Weight of / }).first(), 0.66, fraction);

/** Load demo → the merge (it merges by itself) → its row in Results → every reference row. */
async function firstResults(page: Page): Promise<FirstResults> {
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Load demo' }).click();
  await page.getByTestId('merge-summary').waitFor({ timeout: 600_000 });
  const mergedMs = Date.now() - t0;
  const table = '[data-testid="results-table"]';
  const mergeRow = `${table} tr[data-method]:not([data-method="base"]):not([data-method="individual"]):not([data-method="live"])`;
  await page.locator(mergeRow).first().waitFor({ timeout: 1_800_000 });
  const mergeRowMs = Date.now() - t0;
  await page.locator(`${table} tr[data-method="individual"]`).waitFor({ timeout: 1_800_000 });
  await page.getByTestId('evaluation-progress').waitFor({ state: 'detached', timeout: 600_000 });
  const allRowsMs = Date.now() - t0;
  const shown = page.getByTestId('eval-backend');
  const known = (await shown.count()) > 0; // builds before the backend choice do not show it
  const backend = known ? ((await shown.getAttribute('data-backend')) ?? '?') : 'not shown';
  const how = known ? ((await shown.getAttribute('data-how')) ?? '?') : 'URL';
  const probe = known ? ((await shown.getAttribute('title')) ?? '') : '';
  log(
    `first results: merged ${mergedMs} ms, merge row ${mergeRowMs} ms, all rows ${allRowsMs} ms (eval on ${backend}, ${how}) ${probe}`,
  );
  return { mergedMs, mergeRowMs, allRowsMs, backend, how, probe };
}

async function liveSamples(page: Page, tf: TfMode): Promise<LiveResult> {
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel('Live: re-merge and evaluate on every change').check();
  await waitForText(page, 'live-status', 'Updated in \\d+ ms \\(run 1\\b', 600_000);
  await watchLiveRow(page, 'results-table');
  const latencyMs: number[] = [];
  const fullMs: number[] = [];
  const estimateImages: (number | null)[] = [];
  const workerMerge: number[] = [];
  const workerEstimate: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await dragTo(page, i % 2 === 0 ? 0.2 : 0.45);
    await waitForText(page, 'live-status', `Updated in \\d+ ms \\(run ${i + 2}\\b`, 600_000);
    await page.waitForTimeout(50); // let the observer see the last render
    const { up, rows } = await page.evaluate(() => {
      const w = window as unknown as { __ups: number[]; __rows: { t: number; text: string }[] };
      const up = w.__ups.at(-1)!;
      return { up, rows: w.__rows.filter((r) => r.t > up) };
    });
    const [first, last] = [rows[0]!, rows.at(-1)!];
    latencyMs.push(first.t - up);
    fullMs.push(last.t - up);
    const status = page.getByTestId('live-status');
    const mergeAttr = await status.getAttribute('data-worker-merge-ms');
    const estimateAttr = await status.getAttribute('data-worker-estimate-ms');
    if (mergeAttr && estimateAttr) {
      workerMerge.push(Number(mergeAttr));
      workerEstimate.push(Number(estimateAttr));
    }
    const shown = /estimate · (\d+)\/task/.exec(first.text)?.[1];
    estimateImages.push(shown ? Number(shown) : null);
    log(
      `tf=${tf} sample ${i + 1}/${SAMPLES}: first update ${(first.t - up).toFixed(0)} ms${shown ? ` (estimate, ${shown}/task; worker: merge ${mergeAttr} ms, +scoring ${estimateAttr} ms)` : ''}, full ${(last.t - up).toFixed(0)} ms`,
    );
  }
  await page.getByLabel('Live: re-merge and evaluate on every change').uncheck();
  return {
    latencyMs,
    latencyMedianMs: median(latencyMs),
    fullMs,
    fullMedianMs: median(fullMs),
    estimateImages,
    workerMergeMedianMs: workerMerge.length ? median(workerMerge) : null,
    workerEstimateMedianMs: workerEstimate.length ? median(workerEstimate) : null,
  };
}

/** requestAnimationFrame callbacks per whole second while layer-wise AdaMerging runs. */
async function adaFrames(page: Page): Promise<AdaResult> {
  await page.getByLabel('Steps', { exact: true }).fill(String(ADA_STEPS));
  await startFrameCounter(page);
  const started = Date.now();
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  await waitForText(page, 'ada-status', 'Done', 1_800_000);
  const adaSeconds = (Date.now() - started) / 1000;
  const rate = await stopFrameCounter(page);
  log(
    `AdaMerging ${ADA_STEPS} steps in ${adaSeconds.toFixed(1)} s, frames/s median ${rate.fpsMedian}`,
  );
  return { adaSteps: ADA_STEPS, adaSeconds, ...rate };
}

async function measureMode(
  page: Page,
  baseUrl: string,
  tf: TfMode,
  serve: (page: Page) => Promise<void>,
): Promise<ModeResult> {
  await serve(page);
  await page.goto(new URL(tf === 'auto' ? '/' : `/?tf=${tf}`, baseUrl).href);
  await page.getByText('Detecting GPU…').waitFor({ state: 'detached', timeout: 60_000 });
  const first = await firstResults(page);
  const live = PARTS.includes('live') ? await liveSamples(page, tf) : null;
  const ada = PARTS.includes('ada') ? await adaFrames(page) : null;
  return { tf, first, live, ada };
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const zooLabel = REAL_ZOO ? 'demo zoo (public/zoo)' : 'mini zoo (e2e/helpers/miniZoo.ts)';
  log(`zoo: ${zooLabel}`);
  const mini = REAL_ZOO ? null : await buildMiniZoo();
  const serve = async (page: Page) => {
    if (mini) await serveMiniZoo(page as never, mini.files);
  };
  const { baseUrl, close } = await startServer();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const results: ModeResult[] = [];
  try {
    for (const tf of TF_MODES) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      try {
        results.push(await measureMode(page, baseUrl, tf, serve));
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await close();
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/ui.json',
    JSON.stringify(
      {
        zoo: zooLabel,
        build: DEV ? 'dev' : 'production',
        samples: SAMPLES,
        loadAverage: { start: loadStart, end: loadavg() },
        results,
      },
      null,
      2,
    ) + '\n',
  );
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const imagesRange = (xs: (number | null)[]) => {
    const n = xs.filter((x): x is number => x !== null);
    if (n.length === 0) return 'all';
    const [lo, hi] = [Math.min(...n), Math.max(...n)];
    return lo === hi ? String(lo) : `${lo}–${hi} (median ${median(n)})`;
  };
  const msOrDash = (x: number | null) => (x === null ? '–' : x.toFixed(0));
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const url = (tf: TfMode) => (tf === 'auto' ? '`/` (default)' : `\`/?tf=${tf}\``);
  const firstRows = results.map(
    ({ tf, first: f }) =>
      `| ${url(tf)} | ${f.backend} (${f.how}) | ${s(f.mergedMs)} | **${s(f.mergeRowMs)}** | ${s(f.allRowsMs)} |`,
  );
  const liveRows = results.flatMap(({ tf, live: r }) =>
    r
      ? [
          `| ${url(tf)} | **${r.latencyMedianMs.toFixed(0)}** (${range(r.latencyMs)}) | ${imagesRange(r.estimateImages)} | ${msOrDash(r.workerMergeMedianMs)} / ${msOrDash(r.workerEstimateMedianMs)} | ${r.fullMedianMs.toFixed(0)} (${range(r.fullMs)}) |`,
        ]
      : [],
  );
  const adaRows = results.flatMap(({ tf, ada: a }) =>
    a
      ? [
          `| ${url(tf)} | ${a.adaSteps} layer-wise steps in ${a.adaSeconds.toFixed(0)} s | **${a.fpsMedian}** | ${a.fpsMean.toFixed(1)} | ${a.fpsWorstSecond} |`,
        ]
      : [],
  );
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
  const markdown = [
    `On the ${zooLabel}, ${DEV ? 'Vite dev server (React development build)' : 'production build (`vite build` + `vite preview`)'}, headless Chromium with the lavapipe WebGPU adapter, a fresh browser profile (so the backend probe runs once).`,
    '',
    `Load average (1 / 5 / 15 min) at the start: ${load(loadStart)}; at the end: ${load(loadavg())}${loadNote(loadStart)}; medians are over one run.`,
    '',
    "**Load demo → first results** (the page loads the zoo, merges with the form's initial values and evaluates by itself: the merge, then base + heads and the fine-tunes, each on the full test sets):",
    '',
    "| URL | evaluation on | merged | the merge's row | all rows |",
    '|---|---|---:|---:|---:|',
    ...firstRows,
    '',
    `**Live slider** (task arithmetic; a weight slider dragged and released ${SAMPLES} times; from the pointerup to a DOM change of the Live row: first the estimate on the first images of every test set, "estimate · n/task · avg ±x", then the full test sets). "Worker": merging θ₀ + Σ cₜτₜ on the tfjs device, and merging + scoring the estimate.`,
    '',
    '| URL | estimate: median (range), ms | images/task in the estimate | worker: merge / merge + scoring, ms | full sets: median (range), ms |',
    '|---|---:|---:|---:|---:|',
    ...liveRows,
    '',
    '**Frame rate while AdaMerging runs** (requestAnimationFrame callbacks per whole second in the page; the step runs in the worker):',
    '',
    '| URL | run | frames/s (median) | mean | worst second |',
    '|---|---|---:|---:|---:|',
    ...adaRows,
  ].join('\n');
  await writeBenchSection('ui', 'Studio UI', markdown);
  log('wrote bench/results/ui.json and docs/bench.md');
}

await main();
