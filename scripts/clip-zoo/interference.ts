/**
 * The merge-interference diagnostic (src/eval/interference.ts) of a CLIP zoo, every number from
 * the CLI: for each task k, accuracy and mean prediction entropy of its zero-shot head on its
 * test set with the vision tower θ₀ + λ·τₖ ("own": what task k's vector alone buys) and
 * θ₀ + λ·Σ_{j≠k} τⱼ ("others": what the other tasks' vectors cost it), beside the base and task
 * arithmetic over a λ grid. AdaMerging assumes lower entropy goes with higher accuracy; the
 * "others" rows show whether the other vectors make a task confident and wrong.
 *
 * `npm run zoo:interference -- --zoo <CLIP zoo dir> [--limit N]` dispatches here.
 */
import { mergeTowers, readZoo, type ManifestTask, type Scores, type Zoo } from './cli-zoo';

interface Row {
  label: string;
  scores: Scores;
}

const TA_GRID = [0.1, 0.2, 0.3, 0.5];
const VECTOR_LAMBDAS = [0.3, 1];

/** Task arithmetic with per-task weights (λ folded into the weights, `lambda: 1`). */
async function weighted(zoo: Zoo, name: string, weight: (index: number) => number) {
  return mergeTowers(zoo, name, 'task_arithmetic', '{ lambda: 1 }', (_, i) => {
    return `{ weight: ${weight(i)} }`;
  });
}

/** Task k scored with the encoder `encoderFor(k)` makes, for every task. */
async function perTaskRow(
  zoo: Zoo,
  label: string,
  encoderFor: (task: ManifestTask, k: number) => Promise<string>,
): Promise<Row> {
  const scores: Scores = {};
  for (const [k, task] of zoo.tasks.entries())
    Object.assign(scores, await zoo.score(await encoderFor(task, k), undefined, task));
  return { label, scores };
}

export async function clipInterferenceRows(zoo: Zoo): Promise<Row[]> {
  const log = (line: string) => console.error(`interference: ${line}`);
  log('base + heads');
  const rows: Row[] = [
    { label: 'Base + task heads', scores: await zoo.score(zoo.base, undefined) },
  ];
  for (const lambda of TA_GRID) {
    log(`task arithmetic λ=${lambda}`);
    const merged = await weighted(zoo, `ta-${lambda}`, () => lambda);
    rows.push({ label: `Task arithmetic λ=${lambda}`, scores: await zoo.score(merged, undefined) });
  }
  for (const lambda of VECTOR_LAMBDAS) {
    log(`own vector λ=${lambda}`);
    rows.push(
      await perTaskRow(zoo, `Own vector λ=${lambda}`, (t, k) =>
        weighted(zoo, `own-${lambda}-${t.name}`, (j) => (j === k ? lambda : 0)),
      ),
    );
    log(`other vectors λ=${lambda}`);
    rows.push(
      await perTaskRow(zoo, `Other vectors λ=${lambda}`, (t, k) =>
        weighted(zoo, `others-${lambda}-${t.name}`, (j) => (j === k ? 0 : lambda)),
      ),
    );
  }
  return rows;
}

export function clipInterferenceMarkdown(tasks: readonly string[], rows: readonly Row[]): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const mean = (r: Row, f: (s: Scores[string]) => number) =>
    tasks.reduce((a, t) => a + f(r.scores[t]!), 0) / tasks.length;
  return [
    `| encoder | ${tasks.join(' | ')} | **Avg** | mean entropy |`,
    `| --- | ${tasks.map(() => '---:').join(' | ')} | ---: | ---: |`,
    ...rows.map(
      (r) =>
        `| ${r.label} | ${tasks.map((t) => pct(r.scores[t]!.accuracy)).join(' | ')} | **${pct(mean(r, (s) => s.accuracy))}** | ${mean(r, (s) => s.entropy).toFixed(3)} |`,
    ),
  ].join('\n');
}

export async function printClipInterference(dir: string, limit?: number): Promise<void> {
  const { zoo } = await readZoo(dir, limit);
  const rows = await clipInterferenceRows(zoo);
  console.log(
    clipInterferenceMarkdown(
      zoo.tasks.map((t) => t.name),
      rows,
    ),
  );
}
