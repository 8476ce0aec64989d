import { browserGpu } from '../../src/gpu/browser-gpu';
import { benchTies, type TiesBenchResult } from './ties-bench';

/** In-page entry for e2e/kernels.e2e.ts: the TIES timing on the page's adapter. */
export async function benchTiesInPage(): Promise<TiesBenchResult> {
  const ctx = await browserGpu();
  if (!ctx) throw new Error('no WebGPU adapter in this page');
  return benchTies(ctx);
}
