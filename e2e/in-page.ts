import type { Page } from '@playwright/test';

/**
 * Runs an exported function of a core module inside the page, where the Vite dev server
 * compiles `/src/...` on request. This is how GPU kernels meet real WebGPU in Chromium while the
 * assertions stay in the Playwright spec.
 */
export async function callInPage<T>(
  page: Page,
  modulePath: string,
  exportName: string,
  ...args: unknown[]
): Promise<T> {
  return page.evaluate(
    async ([path, name, callArgs]) => {
      const mod = (await import(/* @vite-ignore */ path as string)) as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      const fn = mod[name as string];
      if (typeof fn !== 'function') throw new Error(`${path} has no export ${name}`);
      return fn(...(callArgs as unknown[]));
    },
    [modulePath, exportName, args] as const,
  ) as Promise<T>;
}
