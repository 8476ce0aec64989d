import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Bare imports of every module reachable from entry through relative imports. */
function bareImports(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
    graph.set(
      file,
      specs.filter((s) => !s.startsWith('.')),
    );
    for (const s of specs.filter((s) => s.startsWith('.'))) {
      const base = resolve(dirname(file), s);
      const candidates = [`${base}.ts`, `${base}/index.ts`];
      visit(candidates.find((c) => graph.has(c) || exists(c)) ?? candidates[0]!);
    }
  };
  visit(resolve(entry));
  return graph;
}

function exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

const isNode = (b: string) => b.startsWith('node:') || ['fs', 'path', 'os'].includes(b);

describe('data modules are browser-safe', () => {
  for (const entry of [
    'src/data/images/index.ts',
    'src/data/text/index.ts',
    'src/io/data-folder.ts',
  ]) {
    it(`${entry} reaches no Node built-in`, () => {
      const graph = bareImports(entry);
      expect(graph.size).toBeGreaterThan(1);
      expect(
        [...graph].flatMap(([f, bare]) => bare.filter(isNode).map((b) => `${f}: ${b}`)),
      ).toEqual([]);
    });
  }

  it('the test fixtures helper does import fs (the check can fail)', () => {
    const graph = bareImports('src/data/images/fixtures/preprocess-fixtures.ts');
    expect([...graph.values()].flat()).toContain('node:fs');
  });
});
