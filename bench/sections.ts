/**
 * docs/bench.md is assembled from one section per benchmark (bench/results/<id>.md), so each
 * benchmark can be re-run alone without losing the others' latest tables.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { format } from 'prettier';

export async function writeBenchSection(
  id: string,
  title: string,
  markdown: string,
  /** ISO time of the measurement (default now; a report rebuilt from stored results keeps theirs). */
  measuredAt = new Date().toISOString(),
): Promise<void> {
  const when = measuredAt.slice(0, 16).replace('T', ' ');
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), no GPU`;
  writeFileSync(
    `bench/results/${id}.md`,
    `## ${title}\n\nMeasured ${when} UTC on ${machine}.\n\n${markdown}\n`,
  );
  await assembleBenchDoc();
}

/**
 * docs/bench.md from every bench/results/*.md in name order. Hand-written sections (the scale
 * runs of bench/llm-scale*.ts) live there too, or the next benchmark's rewrite would drop them.
 */
export async function assembleBenchDoc(): Promise<void> {
  const sections = readdirSync('bench/results')
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => readFileSync(`bench/results/${f}`, 'utf8'));
  const intro = existsSync('bench/INTRO.md') ? readFileSync('bench/INTRO.md', 'utf8') : '';
  // Formatted like every other doc, so `prettier --check` (part of npm test) stays green.
  const doc = `# Benchmarks\n\n${intro}\n${sections.join('\n')}`;
  writeFileSync('docs/bench.md', await format(doc, { parser: 'markdown' }));
}
