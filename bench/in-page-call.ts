/**
 * Benchmarks that time core code inside headless Chromium: a quiet Vite dev server and one
 * browser; each call gets a fresh page, so no tfjs backend or GPU state is carried over.
 */
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';

/**
 * The Vite dev server a Chromium bench loads its pages from, with no HMR or file watching, so
 * an edit elsewhere in the tree cannot reload a page mid-measurement.
 */
export async function startQuietDevServer(
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await createServer({
    configFile: 'vite.config.ts',
    server: { port, hmr: false, watch: { ignored: ['**/*'] } },
    logLevel: 'error',
  });
  await server.listen();
  return {
    url: server.resolvedUrls?.local[0] ?? `http://localhost:${port}/`,
    close: () => server.close(),
  };
}

/** Calls `name` exported by `modulePath` (e.g. /src/adapt/simo/in-page.ts) in a fresh page. */
export type InPageCall = <T>(modulePath: string, name: string, ...args: unknown[]) => Promise<T>;

export async function withChromiumPages<R>(
  port: number,
  body: (call: InPageCall) => Promise<R>,
): Promise<R> {
  const { url, close } = await startQuietDevServer(port);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const call: InPageCall = async <T>(modulePath: string, name: string, ...args: unknown[]) => {
    const page = await browser.newPage();
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
        [modulePath, name, args] as const,
      )) as T;
    } finally {
      await page.close();
    }
  };
  try {
    return await body(call);
  } finally {
    await browser.close();
    await close();
  }
}
