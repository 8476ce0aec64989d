/**
 * A tiny demo zoo built in the test process: a random ViT base, two "fine-tunes" (the base
 * plus a seeded perturbation, each with its own head) and test sets whose labels are each
 * fine-tune's own predictions. So the individual rows score 100% by construction, and a merge's
 * expected accuracy can be computed here with the eval package's own reference merge.
 * Only bench/ui.ts still serves it (the e2e flows moved to the CLIP demo in session 17; since
 * Load demo loads the CLIP demo, the bench's fallback to it no longer changes what loads).
 */
import type { Page } from '@playwright/test';
import type { GrayImages } from '../../src/data/images';
import { predict } from '../../src/eval/accuracy';
import { taskArithmeticMerge, zooMerge } from '../../src/eval/zoo-merges';
import { evaluateEncoder } from '../../src/eval/zoo-table';
import { initEncoder, initHead } from '../../src/models/init';
import { toTensors, type NamedArray } from '../../src/models/tensors';
import type { LoadedZoo } from '../../src/zoo/load';
import { ZOO_FORMAT, ZOO_VERSION, type ZooManifest } from '../../src/zoo/manifest';
import { paramsToBytes } from '../../src/merge/params';
import { SYNTHETIC_CONFIG } from '../../src/zoo/testing/synthetic-zoo';

/** The specs' tiny ViT (8×8 images, dim 8, one block). */
const config = SYNTHETIC_CONFIG;
const TASKS = ['alpha', 'beta'];
const CLASSES = 4;
const COUNT = 40;

type Params = Map<string, NamedArray>;

function perturbed(base: Params, seed: number, scale: number): Params {
  const noise = initEncoder(config, seed);
  return new Map(
    [...base].map(([name, { shape, data }]) => [
      name,
      { shape, data: data.map((v, i) => v + scale * noise.get(name)!.data[i]!) },
    ]),
  );
}

function scaledHead(task: string, seed: number): Params {
  const head = initHead(config, task, CLASSES, seed);
  // Large head weights: logits far apart, so predictions are not near ties.
  return new Map(
    [...head].map(([n, a]) => [n, { shape: a.shape, data: a.data.map((v) => v * 200) }]),
  );
}

function randomPixels(seed: number): Uint8Array {
  let x = seed >>> 0;
  return Uint8Array.from({ length: COUNT * config.imageSize ** 2 }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x >>> 24;
  });
}

export interface MiniZoo {
  files: Map<string, Uint8Array>;
  /**
   * Task → accuracy of the studio's initial task arithmetic merge (λ = 0.3, weights 1): what
   * Load demo merges and evaluates by itself.
   */
  expectedMerged: Record<string, number>;
}

export async function buildMiniZoo(): Promise<MiniZoo> {
  const base = initEncoder(config, 1);
  const zoo: LoadedZoo = {
    manifest: {} as ZooManifest,
    base,
    checkpoints: new Map(),
    testSets: new Map(),
  };
  const files = new Map<string, Uint8Array>([['base.safetensors', await paramsToBytes(base)]]);
  for (const [t, task] of TASKS.entries()) {
    const checkpoint = new Map([...perturbed(base, 10 + t, 1.5), ...scaledHead(task, 20 + t)]);
    const pixels = randomPixels(30 + t);
    const images: GrayImages = {
      count: COUNT,
      side: config.imageSize,
      pixels,
      labels: new Uint8Array(COUNT),
    };
    const params = toTensors(checkpoint);
    images.labels = await predict(params, task, images, { config });
    params.forEach((p) => p.dispose());
    zoo.checkpoints.set(task, checkpoint);
    zoo.testSets.set(task, images);
    files.set(`${task}.safetensors`, await paramsToBytes(checkpoint));
    const test = new Uint8Array(pixels.length + COUNT);
    test.set(pixels);
    test.set(images.labels, pixels.length);
    files.set(`test/${task}.bin`, test);
  }
  const manifest: ZooManifest = {
    format: ZOO_FORMAT,
    version: ZOO_VERSION,
    model: { architecture: 'vit', config },
    headPrefix: 'heads.',
    base: { checkpoint: 'base.safetensors', objective: 'random init', headTensors: [] },
    tasks: TASKS.map((name) => ({
      name,
      title: name.toUpperCase(),
      description: `${name} (random)`,
      classNames: Array.from({ length: CLASSES }, (_, i) => `c${i}`),
      checkpoint: `${name}.safetensors`,
      headTensors: [`heads.${name}.weight`, `heads.${name}.bias`],
      test: { file: `test/${name}.bin`, count: COUNT, side: config.imageSize },
      source: 'procedural',
    })),
    seed: 1,
    provenance: [],
    build: {},
  };
  zoo.manifest = manifest;
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  // Load demo merges at the papers' λ = 0.3: the reference is computed at that λ.
  const encoder = await zooMerge(zoo, taskArithmeticMerge(0.3));
  const merged = await evaluateEncoder('ta', encoder, zoo, { config });
  return { files, expectedMerged: merged.perTask };
}

/** Serves the files at /zoo/… (the worker's fetches go through the page's context routes). */
export async function serveMiniZoo(page: Page, files: Map<string, Uint8Array>): Promise<void> {
  await page.context().route(
    (url) => url.pathname.startsWith('/zoo/'),
    (route) => {
      const file = new URL(route.request().url()).pathname.slice('/zoo/'.length);
      const bytes = files.get(file);
      return bytes
        ? route.fulfill({ body: Buffer.from(bytes), contentType: 'application/octet-stream' })
        : route.fulfill({ status: 404 });
    },
  );
}
