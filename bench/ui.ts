/**
 * Studio UI benchmark in headless Chromium (lavapipe WebGPU): slider-to-updated-table latency
 * with Live on (median of 20 releases: to the estimate row, and to the full-set row), and the page's frame rate (requestAnimationFrame
 * callbacks per second) while AdaMerging runs in the worker. On the demo zoo when
 * public/zoo/manifest.json exists, else on the e2e mini zoo (the report says which).
 *
 *   npx tsx bench/ui.ts [--samples 20] [--ada-steps 10] [--tf wasm[,auto]] [--dev]
 *
 * Writes bench/results/ui.json and the "Studio UI" section of docs/bench.md.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { build, createServer, preview } from 'vite';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';
import { buildMiniZoo, serveMiniZoo } from '../e2e/helpers/miniZoo';
import { writeBenchSection } from './sections';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SAMPLES = Number(arg('samples', '20'));
const ADA_STEPS = Number(arg('ada-steps', '10'));
const TF_MODES = arg('tf', 'wasm').split(',') as ('wasm' | 'auto')[];
const REAL_ZOO = existsSync('public/zoo/manifest.json');
const DEV = process.argv.includes('--dev');
const log = (line: string) => console.error(`[bench:ui] ${line}`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface ModeResult {
  tf: 'wasm' | 'auto';
  /** Where evaluation ran, as the worker reported it. */
  evalDevice: string;
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
  adaSteps: number;
  adaSeconds: number;
  fpsMean: number;
  /** Fewest frames in any whole second of the run. */
  fpsWorstSecond: number;
}

/** Waits until the element with this test id has text matching `pattern`. */
async function waitForText(page: Page, testId: string, pattern: string, timeout: number) {
  // A string expression, not a function: see `instrument`.
  await page.waitForFunction(
    `new RegExp(${JSON.stringify(pattern)}).test(document.querySelector('[data-testid="${testId}"]')?.textContent ?? '')`,
    undefined,
    { timeout, polling: 20 },
  );
}

/** Records the time of each pointerup and of each change of the Live row, inside the page. */
async function instrument(page: Page): Promise<void> {
  // A string, not a function: tsx's keepNames would inject a __name helper the page lacks.
  await page.evaluate(`(() => {
    window.__ups = [];
    window.__rows = [];
    window.addEventListener('pointerup', () => window.__ups.push(performance.now()), true);
    const table = document.querySelector('[data-testid="results-table"]');
    let last = '';
    new MutationObserver(() => {
      const row = [...table.querySelectorAll('tr')].find((r) =>
        (r.textContent ?? '').trimStart().startsWith('Live:'),
      );
      const text = row ? row.textContent : '';
      if (text !== last) {
        last = text;
        window.__rows.push({ t: performance.now(), text });
      }
    }).observe(table, { subtree: true, childList: true, characterData: true });
  })()`);
}

async function dragTo(page: Page, fraction: number): Promise<void> {
  const slider = page.getByRole('slider', { name: /^Weight of / }).first();
  await slider.scrollIntoViewIfNeeded(); // mouse coordinates are the viewport's
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.66, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * fraction, y, { steps: 3 });
  await page.mouse.up();
}

async function measureMode(
  page: Page,
  baseUrl: string,
  tf: 'wasm' | 'auto',
  serve: (page: Page) => Promise<void>,
): Promise<ModeResult> {
  await serve(page);
  await page.goto(new URL(tf === 'wasm' ? '/?tf=wasm' : '/', baseUrl).href);
  await page.getByText('Detecting GPU…').waitFor({ state: 'detached', timeout: 60_000 });
  await page.getByRole('button', { name: 'Load demo' }).click();
  await page
    .locator('[data-testid="compatibility"][data-compatible="true"]')
    .waitFor({ timeout: 120_000 });
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel('Live: re-merge and evaluate on every change').check();
  await waitForText(page, 'live-status', 'Updated in \\d+ ms \\(run 1\\b', 600_000);
  await instrument(page);
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

  await page.getByLabel('Steps', { exact: true }).fill(String(ADA_STEPS));
  await page.getByLabel('Evaluate every').fill('0');
  // A string, not a function: tsx's keepNames would inject a __name helper the page lacks.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__counting = true;
    const tick = (t) => {
      window.__frames.push(t);
      if (window.__counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const started = Date.now();
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  await waitForText(page, 'ada-status', 'Done', 1_800_000);
  const adaSeconds = (Date.now() - started) / 1000;
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __counting: boolean };
    w.__counting = false;
    return w.__frames;
  });
  const first = frames[0]!;
  const span = (frames.at(-1)! - first) / 1000;
  const perSecond = new Map<number, number>();
  for (const t of frames) {
    const s = Math.floor((t - first) / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  const whole = [...perSecond.entries()].filter(([s]) => s < Math.floor(span)).map(([, n]) => n);
  const evalDevice = tf === 'wasm' ? 'wasm' : 'webgpu';
  return {
    tf,
    evalDevice,
    latencyMs,
    latencyMedianMs: median(latencyMs),
    fullMs,
    fullMedianMs: median(fullMs),
    estimateImages,
    workerMergeMedianMs: workerMerge.length ? median(workerMerge) : null,
    workerEstimateMedianMs: workerEstimate.length ? median(workerEstimate) : null,
    adaSteps: ADA_STEPS,
    adaSeconds,
    fpsMean: frames.length / span,
    fpsWorstSecond: whole.length ? Math.min(...whole) : frames.length,
  };
}

/**
 * What users run: a production build (React's production runtime) served by `vite preview`
 * (same COOP/COEP headers), built into a temporary folder. `--dev` measures the dev server.
 */
async function startServer(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  if (DEV) {
    const server = await createServer({
      configFile: 'vite.config.ts',
      // No HMR or file watching: an edit elsewhere in the tree must not reload the page.
      server: { port: 5211, hmr: false, watch: { ignored: ['**/*'] } },
      logLevel: 'error',
    });
    await server.listen();
    return {
      baseUrl: server.resolvedUrls?.local[0] ?? 'http://localhost:5211/',
      close: () => server.close(),
    };
  }
  const outDir = join(tmpdir(), 'merge-studio-bench-ui');
  log(`building the studio into ${outDir}`);
  await build({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  const server = await preview({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    build: { outDir },
    preview: { port: 5212, strictPort: false },
  });
  return {
    baseUrl: server.resolvedUrls?.local[0] ?? 'http://localhost:5212/',
    close: () => server.close(),
  };
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
  const rows = results.map(
    (r) =>
      `| ${r.tf === 'wasm' ? 'WebGPU merges, wasm eval (`?tf=wasm`)' : 'WebGPU merges, WebGPU eval'} | **${r.latencyMedianMs.toFixed(0)}** (${range(r.latencyMs)}) | ${imagesRange(r.estimateImages)} | ${msOrDash(r.workerMergeMedianMs)} / ${msOrDash(r.workerEstimateMedianMs)} | ${r.fullMedianMs.toFixed(0)} (${range(r.fullMs)}) | ${r.adaSteps} steps in ${r.adaSeconds.toFixed(0)} s | ${r.fpsMean.toFixed(1)} | ${r.fpsWorstSecond} |`,
  );
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
  const markdown = [
    `On the ${zooLabel}, ${DEV ? 'Vite dev server (React development build)' : 'production build (`vite build` + `vite preview`)'}, headless Chromium with the lavapipe WebGPU adapter. Latency: Live on,`,
    `task arithmetic; a weight slider of the method form is dragged and released ${SAMPLES} times.`,
    'Each time runs from the pointerup event to a DOM change of the Live row in the results',
    'table: first the estimate (the first images of every test set, labelled "estimate · n/task"',
    'in the row), then the full test sets (500 images per task) replacing it. "Worker" is the',
    "worker's own time for the estimate: merging θ₀ + Σ cₜτₜ from the task vectors it keeps on the",
    'tfjs device, and merging + scoring (one transpose-free forward pass over 8 × n images, n ≤ 64,',
    'sized by the worker to a 170 ms scoring budget from the speed of the previous passes).',
    'The rest of the first-update time is the release → request hop, messages and the React',
    'commit. Frame rate: requestAnimationFrame callbacks per second in the page while layer-wise',
    'AdaMerging runs in the worker; its step runs on the fused WebGPU engine also with `?tf=wasm`',
    '(only its evaluations use wasm; AdaMerging section).',
    '',
    `Load average (1 / 5 / 15 min) at the start: ${load(loadStart)}; at the end: ${load(loadavg())} —`,
    'the 2 cores were shared with zoo training and other benchmarks, so absolute times are',
    'inflated; medians are over one run.',
    '',
    '| compute | first update: median (range), ms | images/task in the estimate | worker: merge / merge + scoring, ms | full sets: median (range), ms | AdaMerging | frames/s (mean) | worst second (frames) |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
    ...rows,
  ].join('\n');
  await writeBenchSection('ui', 'Studio UI', markdown);
  log('wrote bench/results/ui.json and docs/bench.md');
}

await main();
