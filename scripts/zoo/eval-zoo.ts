/**
 * `npm run zoo:eval`: the zoo's results table (individual, base + heads, weight averaging, task
 * arithmetic 0.3, TIES) written to docs/results-zoo.json and into docs/zoo.md between the
 * `<!-- results:start -->` / `<!-- results:end -->` markers. Flags: --zoo DIR, --limit N,
 * --sweep (also task arithmetic at λ 0.1, 0.2, 0.5), --no-write (print only).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { initTf } from '../../src/tf/backend';
import { loadZoo } from '../../src/zoo/load';
import { resultsMarkdown, zooResults } from '../../src/eval/zoo-table';

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const zooDir = arg('--zoo') ?? 'public/zoo';
  const limit = arg('--limit') ? Number(arg('--limit')) : undefined;
  const device = await initTf('wasm');
  const started = performance.now();
  const zoo = await loadZoo(zooDir);
  const results = await zooResults(zoo, {
    limit,
    sweep: argv.includes('--sweep') ? [0.1, 0.2, 0.5] : [],
    onRow: (row) => console.error(`${row.method}: ${(100 * row.average).toFixed(1)}%`),
  });
  const seconds = (performance.now() - started) / 1000;
  const markdown = `${resultsMarkdown(results)}\n\nProduced by \`npm run zoo:eval\` on tfjs ${device} in ${seconds.toFixed(0)} s (seed ${zoo.manifest.seed}).`;
  console.log(markdown);
  if (argv.includes('--no-write')) return;
  writeFileSync(
    'docs/results-zoo.json',
    JSON.stringify({ ...results, seed: zoo.manifest.seed, backend: device }, null, 2) + '\n',
  );
  const doc = existsSync('docs/zoo.md')
    ? readFileSync('docs/zoo.md', 'utf8')
    : `# Demo zoo\n\n${START}\n${END}\n`;
  const at = doc.indexOf(START);
  const end = doc.indexOf(END);
  const updated =
    at >= 0 && end > at
      ? `${doc.slice(0, at + START.length)}\n${markdown}\n${doc.slice(end)}`
      : `${doc}\n${START}\n${markdown}\n${END}\n`;
  writeFileSync('docs/zoo.md', updated);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
