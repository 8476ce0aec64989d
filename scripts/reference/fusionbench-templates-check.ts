/**
 * Checks the transcription of FusionBench's DTD zero-shot templates (src/data/text/templates.ts)
 * against FusionBench's own source, read from a local mirror of tanganke/fusion_bench (a git
 * directory, e.g. what the tool library's `fetch` makes). A hand-run check, not a unit test:
 * CI has no mirror, and a test that skips without one would report nothing as a pass.
 *
 *   npx tsx scripts/reference/fusionbench-templates-check.ts [<mirror git dir>]
 */
import { execFileSync } from 'node:child_process';
import { templatesFor } from '../../src/data/text/templates';

const repo = process.argv[2] ?? '/work/.mirror/tanganke+fusion_bench/repo';
const src = execFileSync(
  'git',
  ['-C', repo, 'show', 'HEAD:fusion_bench/tasks/clip_classification/dtd.py'],
  { encoding: 'utf8' },
);
const fromSource = [...src.matchAll(/lambda c: f"(.*)",/g)].map((m) => m[1]!.replace('{c}', '{}'));
const ours = templatesFor('dtd');
const same = JSON.stringify(fromSource) === JSON.stringify(ours);
console.log(same ? `dtd: ${ours.length} templates, equal to FusionBench's` : 'dtd: DIFFERENT');
if (!same) {
  console.log({ fromSource, ours });
  process.exitCode = 1;
}
