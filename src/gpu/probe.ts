import { adapterLabel, type AdapterDescription } from './adapter';
import { browserGpu } from './browser-gpu';

/** What the page's WebGPU adapter is, or null when there is none (used by tests and the UI). */
export async function describeBrowserGpu(): Promise<
  (AdapterDescription & { label: string }) | null
> {
  const ctx = await browserGpu();
  return ctx ? { ...ctx.info, label: adapterLabel(ctx.info) } : null;
}
