/**
 * The publish step and the page's loader on a smoke zoo: `clip-zoo.json` lists every file of
 * every folder with its size (and nothing the build keeps for itself), the copy is byte-equal,
 * a zoo above the limit is refused and leaves the destination as it was; the loader's inputs
 * (fetched through a fetch that serves the published folder) give the CLIP handlers the same
 * rows as the same folders read from disk the way a dropped folder is.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/core';
import { initTf } from '../../src/tf';
import { Transfer, type HandlerContext } from '../../src/worker/serve';
import type { CheckpointInput, MethodName } from '../../src/worker/protocol';
import { StudioSession } from '../../src/worker/session';
import { clipHandlers } from '../../src/worker/clip/handlers';
import { folderInput } from '../../src/worker/testing/clip-page';
import { fetchClipDemo, probeClipDemo, type ClipDemoInputs } from '../../src/worker/demo/clip-zoo';
import {
  CLIP_ZOO_WEB_FILE,
  validateClipZooWeb,
  webFolders,
} from '../../src/worker/demo/clip-manifest';
import { buildClipZoo } from './build';
import { publishClipZoo } from './publish';

const URL_BASE = 'http://zoo.test/clip-zoo/';
let root = '';
let zoo = '';
let dest = '';

/** Serves `dir` at URL_BASE as a dev server would (an unknown path answers index.html). */
function servingFetch(dir: string, change?: (path: string, bytes: Buffer) => Buffer) {
  return (async (url: string, init?: RequestInit) => {
    init?.signal?.throwIfAborted();
    const path = url.slice(URL_BASE.length);
    const bytes = await readFile(join(dir, path)).catch(() => Buffer.from('<!doctype html>'));
    return new Response(new Uint8Array(change ? change(path, bytes) : bytes));
  }) as typeof fetch;
}

const context = <M extends MethodName>() =>
  ({ signal: new AbortController().signal, emit: () => undefined }) as unknown as HandlerContext<M>;

async function un<T>(p: Promise<T | Transfer<T>>): Promise<T> {
  const x = await p;
  return x instanceof Transfer ? x.value : x;
}

/** The CLIP handlers fed a base and the first two tasks; their zero-shot and individual rows. */
async function rowsOf(base: CheckpointInput, tasks: ClipDemoInputs['tasks']) {
  const session = new StudioSession({
    loadZoo: () => Promise.reject(new Error('no zoo here')),
    tfDevice: () => initTf('cpu'),
  });
  session.gpuPreference = 'off';
  const h = clipHandlers(session);
  await h.clipLoadBase({ input: base }, context());
  for (const t of tasks) {
    const ft = await un(h.clipAddFinetune({ input: t.finetune }, context()));
    await h.clipAttachData({ id: ft.id, task: t.name, data: t.data }, context());
  }
  const row = async (target: 'zero-shot' | 'individuals') =>
    (await un(h.clipEvaluate({ target, label: target }, context()))).accuracy;
  return { zeroShot: await row('zero-shot'), individual: await row('individuals') };
}

describe('zoo:clip:publish and the page loader', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'clip-publish-'));
    zoo = join(root, 'zoo');
    dest = join(root, 'public', 'clip-zoo');
    await buildClipZoo({ out: zoo, seed: 0, resume: false, scale: 'smoke', log: () => {} });
    await publishClipZoo(zoo, dest);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lists every file of every folder with its size, and copies it byte for byte', async () => {
    const path = join(dest, CLIP_ZOO_WEB_FILE);
    const web = validateClipZooWeb(JSON.parse(await readFile(path, 'utf8')), path);
    const manifest = JSON.parse(await readFile(join(zoo, 'manifest.json'), 'utf8'));
    expect(web.scale).toBe('smoke');
    expect(web.seed).toBe(0);
    expect(web.provenance.plan).toEqual(manifest.plan);
    expect(web.tasks.map((t) => [t.name, t.finetune.folder, t.data.folder, t.licence])).toEqual(
      manifest.tasks.map((t: Record<string, string>) => [t.name, t.folder, t.data, t.licence]),
    );
    expect(web.base.files.map((f) => f.path)).toEqual([
      'config.json',
      'model.safetensors',
      'preprocessor_config.json',
      'tokenizer.json',
    ]);
    const task = web.tasks[0]!;
    expect(task.data.files).toHaveLength(manifest.plan.testPerTask);
    expect(task.data.files.every((f) => f.path.split('/').length === 2)).toBe(true);
    let total = 0;
    for (const folder of webFolders(web)) {
      for (const file of folder.files) {
        const from = await readFile(join(zoo, folder.folder, file.path));
        expect(file.size, file.path).toBe(from.length);
        expect((await readFile(join(dest, folder.folder, file.path))).equals(from)).toBe(true);
        total += file.size;
      }
    }
    expect(web.totalBytes).toBe(total);
    await expect(stat(join(dest, 'build-times.json'))).rejects.toThrow();
    await expect(stat(join(dest, '.build'))).rejects.toThrow();
  });

  it("records the zoo's swept λ for the demo's task-arithmetic row, and refuses a bad one", async () => {
    const other = join(root, 'with-lambda');
    const web = await publishClipZoo(zoo, other, { demoLambda: 0.1 });
    const path = join(other, CLIP_ZOO_WEB_FILE);
    const read = validateClipZooWeb(JSON.parse(await readFile(path, 'utf8')), path);
    expect([web.demoLambda, read.demoLambda]).toEqual([0.1, 0.1]);
    const plain = join(dest, CLIP_ZOO_WEB_FILE);
    expect(validateClipZooWeb(JSON.parse(await readFile(plain, 'utf8')), plain).demoLambda).toBe(
      undefined,
    );
    expect(() => validateClipZooWeb({ ...read, demoLambda: -1 }, 'x.json')).toThrow(
      /x\.json.*"demoLambda" must be a number in \(0, 2\]/,
    );
  });

  it('refuses a zoo above the limit and leaves the destination as it was', async () => {
    const before = await readFile(join(dest, CLIP_ZOO_WEB_FILE));
    await expect(publishClipZoo(zoo, dest, { maxBytes: 100_000 })).rejects.toThrow(
      /MB, above the 0\.10 MB a published demo zoo may be/,
    );
    expect((await readFile(join(dest, CLIP_ZOO_WEB_FILE))).equals(before)).toBe(true);
    await expect(publishClipZoo(join(root, 'nothing'), dest)).rejects.toThrow(
      /manifest\.json: not there/,
    );
  });

  it('fetches every file as folder inputs that load as the folders on disk do', async () => {
    const events: Progress[] = [];
    const demo = await fetchClipDemo({
      url: URL_BASE,
      fetch: servingFetch(dest),
      signal: new AbortController().signal,
      onProgress: (p) => events.push(p),
    });
    const last = events.filter((e) => e.status === 'progress').at(-1);
    const files = webFolders(demo.zoo).reduce((n, f) => n + f.files.length, 0);
    expect(last).toMatchObject({ done: files, total: files, bytes: demo.zoo.totalBytes });
    expect(events.at(-1)?.status).toBe('done');
    const base = demo.base;
    if (base.kind !== 'folderFiles') throw new Error('not folderFiles');
    expect(base.name).toBe('clip-base');
    const config = base.files.find((f) => f.path === 'config.json')!.file;
    expect(await config.text()).toBe(await readFile(join(dest, 'clip-base/config.json'), 'utf8'));

    const two = demo.tasks.slice(0, 2);
    const fromDisk = await Promise.all(
      two.map(async (t) => ({
        name: t.name,
        finetune: await folderInput(join(dest, `clip-${t.name}`)),
        data: await folderInput(join(dest, 'data', t.name)),
      })),
    );
    const fetched = await rowsOf(demo.base, two);
    const dropped = await rowsOf(await folderInput(join(dest, 'clip-base')), fromDisk);
    expect(Object.keys(fetched.zeroShot)).toEqual(two.map((t) => t.name));
    expect(fetched).toEqual(dropped);
  });

  it('names a missing zoo, a file of the wrong size, and stops when cancelled', async () => {
    const signal = new AbortController().signal;
    await expect(
      fetchClipDemo({ url: URL_BASE, fetch: servingFetch(join(root, 'none')), signal }),
    ).rejects.toThrow(
      /clip-zoo\.json is not there \(publish a built zoo: npm run zoo:clip:publish/,
    );
    const cut = servingFetch(dest, (path, bytes) =>
      path === 'clip-base/tokenizer.json' ? bytes.subarray(1) : bytes,
    );
    await expect(fetchClipDemo({ url: URL_BASE, fetch: cut, signal })).rejects.toThrow(
      /clip-base\/tokenizer\.json: \d+ bytes, clip-zoo\.json says \d+/,
    );
    const controller = new AbortController();
    let requests = 0;
    const stopping = (async (url: string, init?: RequestInit) => {
      if (++requests === 3) controller.abort();
      return servingFetch(dest)(url, init);
    }) as typeof fetch;
    await expect(
      fetchClipDemo({ url: URL_BASE, fetch: stopping, signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
    expect(requests).toBeLessThan(12);
  });

  it('probes the published zoo from its clip-zoo.json alone: its tasks, or why it is not there', async () => {
    const requested: string[] = [];
    const counting = (async (url: string, init?: RequestInit) => {
      requested.push(url);
      return servingFetch(dest)(url, init);
    }) as typeof fetch;
    const web = validateClipZooWeb(
      JSON.parse(await readFile(join(dest, CLIP_ZOO_WEB_FILE), 'utf8')),
      CLIP_ZOO_WEB_FILE,
    );
    expect(await probeClipDemo({ url: URL_BASE, fetch: counting })).toEqual({
      available: true,
      name: web.name,
      tasks: web.tasks.map((t) => t.name),
    });
    expect(requested).toEqual([`${URL_BASE}${CLIP_ZOO_WEB_FILE}`]);
    const missing = await probeClipDemo({ url: URL_BASE, fetch: servingFetch(join(root, 'none')) });
    expect(missing.available).toBe(false);
    if (!missing.available) expect(missing.reason).toMatch(/clip-zoo\.json is not there/);
  });
});
