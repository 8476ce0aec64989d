/**
 * The core's layer rules, checked on the real import graph of src/ (built with the TypeScript
 * compiler's parser, every static, dynamic and type-only import):
 * - every top folder of src/ has a place in src/layers.json (LAYERS); a folder imports only folders of lower
 *   layers (folders sharing a layer, e.g. worker and cli, do not import each other);
 * - an import into another folder goes through that folder's public entry: its index.ts, or
 *   one of ENTRIES (Node-only or test-only entry points, named and justified below);
 * - no import cycle between files (type-only imports excluded: they vanish at run time);
 * - the graph checks themselves fail on planted violations (last describe block).
 * eslint.config.js enforces the layer order as you type (no-restricted-imports per folder).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import layersFile from './layers.json';

const LAYERS: readonly (readonly string[])[] = layersFile.layers;

/** Public entries besides index.ts, each for a reason. */
const ENTRIES: { file: string; why: string; specsOnly?: boolean }[] = [
  {
    file: 'io/node/index.ts',
    why: 'Node-only sources and sinks (fs), kept out of browser bundles',
  },
  { file: 'merge/node/cpu-worker-backend.ts', why: 'Node-only CPU worker threads' },
  { file: 'data/sources-node.ts', why: 'Node-only MNIST / Fashion-MNIST readers' },
  { file: 'gpu/node-gpu.ts', why: 'Node-only WebGPU (Dawn) adapter' },
  { file: 'gpu/browser-gpu.ts', why: 'the browser adapter, loaded only where a page has one' },
  {
    file: 'io/types.ts',
    why: 'the I/O contracts (dtypes, sources, sinks): types and constants only',
  },
];
/** Test helpers (testing/ folders, testing-*.ts): importable from specs, other helpers and
 * in-page harnesses (the in-page.ts entries Playwright loads) only. */
const TESTING = /^[a-z]+\/testing\/|^[a-z]+\/testing[-.]/;

const SRC = dirname(new URL(import.meta.url).pathname);

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Module specifiers of one file, with whether each import is type-only. */
export function importsOf(text: string, fileName = 'x.ts'): { spec: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: { spec: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause?.isTypeOnly ||
        (!!clause &&
          !clause.name &&
          !!clause.namedBindings &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      out.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit)) out.push({ spec: lit.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** A relative specifier → the src-relative .ts file it names (undefined: not a TS file). */
function resolve(fromFile: string, spec: string, files: Set<string>): string | undefined {
  const bare = spec.replace(/\?.*$/, '');
  const base = normalize(join(dirname(fromFile), bare));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** Every import edge between files of src/ (paths relative to src/). */
export function importGraph(sources: Map<string, string>): Edge[] {
  const files = new Set(sources.keys());
  const edges: Edge[] = [];
  for (const [file, text] of sources) {
    for (const { spec, typeOnly } of importsOf(text, file)) {
      if (!spec.startsWith('.')) continue;
      const to = resolve(file, spec, files);
      if (to) edges.push({ from: file, to, typeOnly });
    }
  }
  return edges;
}

const folderOf = (file: string): string => file.split('/')[0]!;
const isTestFile = (file: string): boolean =>
  /\.spec\.tsx?$/.test(file) || /(^|\/)in-page\.ts$/.test(file) || TESTING.test(file);

/** Layer-order and public-entry violations, as readable lines. */
export function layerViolations(edges: Edge[], layers: readonly (readonly string[])[]): string[] {
  const rank = new Map(layers.flatMap((group, r) => group.map((f) => [f, r] as const)));
  const problems: string[] = [];
  const folders = new Set(edges.flatMap((e) => [e.from, e.to]).map(folderOf));
  for (const folder of folders) {
    if (folder.includes('.')) continue; // a file directly in src/ (this spec)
    if (!rank.has(folder)) problems.push(`src/${folder} has no place in src/layers.json`);
  }
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b || a.includes('.')) continue;
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra === undefined || rb === undefined) continue;
    if (rb >= ra) {
      problems.push(
        `src/${from} imports src/${to}: ${b} is ${rb === ra ? 'a peer of' : 'above'} ${a} in the layer order`,
      );
      continue;
    }
    const entry = to === `${b}/index.ts` || ENTRIES.some((e) => e.file === to);
    const testing = TESTING.test(to) && isTestFile(from);
    if (!entry && !testing)
      problems.push(`src/${from} imports src/${to}: go through src/${b}/index.ts`);
  }
  return problems;
}

/** Each import cycle between files (runtime imports only), as a readable chain. */
export function importCycles(edges: Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly) continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      const s = state.get(to);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' → '));
      else if (s === undefined) visit(to);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of next.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

function srcSources(): Map<string, string> {
  return new Map(sourceFiles(SRC).map((p) => [relative(SRC, p), readFileSync(p, 'utf8')]));
}

describe('layers of src/', () => {
  const edges = importGraph(srcSources());

  it('finds the imports (the graph is not empty)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.some((e) => e.from.startsWith('worker/') && e.to.startsWith('merge/'))).toBe(true);
  });

  it('lower folders never import higher ones, and cross-folder imports use the index', () => {
    expect(layerViolations(edges, LAYERS)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('lists every top folder of src/ in LAYERS', () => {
    const folders = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory());
    const known = new Set(LAYERS.flat());
    expect(folders.filter((f) => !known.has(f))).toEqual([]);
  });
});

describe('the checks catch planted violations', () => {
  const planted = (files: Record<string, string>) => importGraph(new Map(Object.entries(files)));

  it('a cycle between two files', () => {
    const edges = planted({
      'eval/a.ts': "import { b } from './b';\nexport const a = 1;",
      'eval/b.ts': "import { a } from './a';\nexport const b = a;",
    });
    expect(importCycles(edges)).toEqual(['eval/a.ts → eval/b.ts → eval/a.ts']);
  });

  it('a cycle through a dynamic import, but not through type-only imports', () => {
    const dynamic = planted({
      'eval/a.ts': "export const a = () => import('./b');",
      'eval/b.ts': "export { a } from './a';",
    });
    expect(importCycles(dynamic)).toHaveLength(1);
    const types = planted({
      'eval/a.ts': "import type { B } from './b';\nexport type A = B;",
      'eval/b.ts': "import { type A } from './a';\nexport type B = A;",
    });
    expect(importCycles(types)).toEqual([]);
  });

  it('an upward import, a peer import, a deep import and an unplaced folder', () => {
    const edges = planted({
      'io/index.ts': "export * from './x';",
      'io/x.ts': "import { y } from '../eval/index';\nexport const x = y;",
      'eval/index.ts': "export * from './y';",
      'eval/y.ts': "import { x } from '../io/x';\nexport const y = x;",
      'worker/w.ts': "import { c } from '../cli/index';",
      'cli/index.ts': 'export const c = 1;',
      'newthing/n.ts': "import { y } from '../eval/index';",
    });
    const problems = layerViolations(edges, [['io'], ['eval'], ['worker', 'cli']]);
    expect(problems).toEqual([
      'src/newthing has no place in src/layers.json',
      'src/io/x.ts imports src/eval/index.ts: eval is above io in the layer order',
      'src/eval/y.ts imports src/io/x.ts: go through src/io/index.ts',
      'src/worker/w.ts imports src/cli/index.ts: cli is a peer of worker in the layer order',
    ]);
  });
});
