import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolLayout } from './pool';

export function layoutFromDir(dir: string): PoolLayout {
  return JSON.parse(readFileSync(join(dir, 'layout.json'), 'utf8')) as PoolLayout;
}
