/**
 * What the studio UI benchmarks share (bench/ui.ts: the v1 zoo's panels at `/`; bench/ui-clip.ts:
 * the CLIP demo at the README's `/?demo=clip`): the server users run, waiting on the page's
 * text, the frame counter, medians and what the load says about the times.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { build, preview } from 'vite';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { startQuietDevServer } from './in-page-call';

/** The value after `--name` on the command line, else `fallback`. */
export const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
export const DEV = process.argv.includes('--dev');
export const log = (line: string) => console.error(`[bench:ui] ${line}`);

/** What the load says about the times: a busy machine (1-minute load above its cores) inflates them. */
/** A load above the core count means the bench shared the machine with other work. */
export const loadNote = (start: number[], cores = availableParallelism()) =>
  (start[0] ?? 0) > cores
    ? ` — the ${cores} cores were shared with other jobs, so absolute times are inflated`
    : ' — a quiet machine';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Waits until the element with this test id has text matching `pattern`. */
export async function waitForText(page: Page, testId: string, pattern: string, timeout: number) {
  // A string expression, not a function: tsx's keepNames would inject a __name helper the page lacks.
  await page.waitForFunction(
    `new RegExp(${JSON.stringify(pattern)}).test(document.querySelector('[data-testid="${testId}"]')?.textContent ?? '')`,
    undefined,
    { timeout, polling: 20 },
  );
}

/**
 * Records, inside the page, the time of each pointerup (window.__ups) and each change of the
 * Live row's text (window.__rows: { t, text }) — the row `tr[data-method="live"]` under the
 * element with this test id (the v1 Results table, the CLIP panel's results).
 */
export async function watchLiveRow(page: Page, containerTestId: string): Promise<void> {
  // A string, not a function: tsx's keepNames would inject a __name helper the page lacks.
  await page.evaluate(`(() => {
    window.__ups = [];
    window.__rows = [];
    window.addEventListener('pointerup', () => window.__ups.push(performance.now()), true);
    const container = document.querySelector('[data-testid="${containerTestId}"]');
    let last = '';
    new MutationObserver(() => {
      const row = container.querySelector('tr[data-method="live"]');
      const text = row ? row.textContent : '';
      if (text !== last) {
        last = text;
        window.__rows.push({ t: performance.now(), text });
      }
    }).observe(container, { subtree: true, childList: true, characterData: true });
  })()`);
}

/** Presses the slider at `from` of its width, drags it to `to` and releases it. */
export async function dragSlider(page: Page, slider: Locator, from: number, to: number) {
  await slider.scrollIntoViewIfNeeded(); // mouse coordinates are the viewport's
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to, y, { steps: 3 });
  await page.mouse.up();
}

/** Starts counting requestAnimationFrame callbacks in the page. */
export async function startFrameCounter(page: Page): Promise<void> {
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
}

export interface FrameRate {
  fpsMean: number;
  /** Median over the whole seconds counted (the target: ≥ 30). */
  fpsMedian: number;
  /** Fewest frames in any whole second. */
  fpsWorstSecond: number;
}

/** Frame rate during a run of AdaMerging steps. */
export interface AdaResult extends FrameRate {
  adaSteps: number;
  adaSeconds: number;
}

/** Stops the counter and sums frames per whole second. */
export async function stopFrameCounter(page: Page): Promise<FrameRate> {
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
  return {
    fpsMean: frames.length / span,
    fpsMedian: whole.length ? median(whole) : frames.length,
    fpsWorstSecond: whole.length ? Math.min(...whole) : frames.length,
  };
}

/**
 * What users run: a production build (React's production runtime) served by `vite preview`
 * (same COOP/COEP headers), built into a temporary folder. `--dev` measures the dev server.
 */
export async function startServer(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  if (DEV) {
    const { url, close } = await startQuietDevServer(5211);
    return { baseUrl: url, close };
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
