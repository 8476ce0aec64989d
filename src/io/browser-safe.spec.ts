import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every module reachable through relative imports from `entry`, with its bare imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map(
      (m) => m[1]!,
    );
    graph.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((s) => s.startsWith('.'))) {
      const base = resolve(dirname(file), s);
      const candidates = [`${base}.ts`, join(base, 'index.ts')];
      visit(candidates.find((c) => graph.has(c) || tryRead(c)) ?? candidates[0]!);
    }
  };
  visit(resolve(entry));
  return graph;
}

function tryRead(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

describe('browser safety', () => {
  for (const entry of ['src/io/index.ts', 'src/io/testing/corpus.ts']) {
    it(`${entry} reaches no Node built-in`, () => {
      const graph = importGraph(entry);
      expect(graph.size).toBeGreaterThan(1);
      const nodeImports = [...graph].flatMap(([file, bare]) =>
        bare
          .filter((b) => b.startsWith('node:') || ['fs', 'path', 'os'].includes(b))
          .map((b) => `${file}: ${b}`),
      );
      expect(nodeImports).toEqual([]);
    });
  }

  it('the Node entry does import fs (the check can fail)', () => {
    const graph = importGraph('src/io/node/index.ts');
    expect([...graph.values()].flat()).toContain('node:fs/promises');
  });
});
