import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolLayout } from './pool';

export function layoutFromDir(dir: string): PoolLayout {
  return JSON.parse(readFileSync(join(dir, 'layout.json'), 'utf8')) as PoolLayout;
}

/** The pool's number of transformer-style layers (`model.layers.<i>.`), for slice recipes. */
export function layerCount(layout: PoolLayout): number {
  return new Set(layout.tensors.map((t) => /^model\.layers\.(\d+)\./.exec(t.name)?.[1])).size;
}
