/**
 * The demo zoo (public/zoo, built by `npm run zoo`): a base model and its fine-tunes, served
 * next to the app. The worker fetches the manifest, then each checkpoint, and registers them
 * like dropped files, so everything after loading is the same code path.
 */
import { validateManifest, type ZooManifest } from '../../zoo';
import { blobSource } from '../../io';
import type { DemoInfo } from '../protocol';

/** Where the app serves public/zoo (Vite's base, so a sub-path deployment works too). */
export const ZOO_URL = `${import.meta.env?.BASE_URL ?? '/'}zoo/`;

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

export async function readManifest(): Promise<ZooManifest> {
  const url = `${ZOO_URL}manifest.json`;
  const text = await (await fetchOk(url)).text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A dev server answers unknown paths with index.html: that means "not built".
    throw Object.assign(new Error(`${url} is not there (run \`npm run zoo\` to build the demo)`), {
      code: 'demo-missing',
    });
  }
  return validateManifest(json, url);
}

/** Is the demo there, and what is in it? Never throws: the button explains instead. */
export async function probeDemo(): Promise<DemoInfo> {
  try {
    const manifest = await readManifest();
    return {
      available: true,
      tasks: manifest.tasks.map((t) => t.title),
      headPrefix: manifest.headPrefix,
    };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The checkpoint files of the zoo as named blobs (base first). */
export async function fetchZooCheckpoints(
  manifest: ZooManifest,
  signal: AbortSignal,
): Promise<{ name: string; source: ReturnType<typeof blobSource> }[]> {
  const entries = [
    { name: 'base', file: manifest.base.checkpoint },
    ...manifest.tasks.map((t) => ({ name: t.name, file: t.checkpoint })),
  ];
  const out = [];
  for (const entry of entries) {
    signal.throwIfAborted();
    const blob = await (await fetchOk(`${ZOO_URL}${entry.file}`)).blob();
    out.push({ name: entry.name, source: blobSource(blob, entry.file) });
  }
  return out;
}
