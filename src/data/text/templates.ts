/**
 * Zero-shot prompt templates: FusionBench's list for the tasks it knows (see
 * fusionbench-tasks.ts for provenance and licence), the generic CLIP prompt otherwise.
 */
import { FUSIONBENCH_TASKS, type FusionBenchTask } from './fusionbench-tasks';

export const GENERIC_TEMPLATES: readonly string[] = ['a photo of a {}.'];

/**
 * FusionBench's own aliases: `stanford_cars` and the HF dataset ids (`tanganke/<task>`,
 * `ylecun/mnist`, `ufldl-stanford/svhn`) name the same tasks. Matching ignores case.
 */
function canonicalTaskName(taskName: string): string {
  const lower = taskName.trim().toLowerCase();
  const bare = lower.includes('/') ? lower.slice(lower.lastIndexOf('/') + 1) : lower;
  return bare === 'stanford_cars' ? 'stanford-cars' : bare;
}

/** FusionBench's class names and templates for a known task, else undefined. */
export function fusionBenchTask(taskName: string): FusionBenchTask | undefined {
  const key = canonicalTaskName(taskName);
  return Object.hasOwn(FUSIONBENCH_TASKS, key) ? FUSIONBENCH_TASKS[key] : undefined;
}

/** The task's FusionBench templates, or `['a photo of a {}.']` for a task FusionBench lacks. */
export function templatesFor(taskName: string): readonly string[] {
  return fusionBenchTask(taskName)?.templates ?? GENERIC_TEMPLATES;
}

/** FusionBench's class names for a known task (label order), else undefined. */
export function classNamesFor(taskName: string): readonly string[] | undefined {
  return fusionBenchTask(taskName)?.classNames;
}

/** One prompt: the template with its `{}` replaced by the class name. */
export function formatPrompt(template: string, className: string): string {
  return template.replace('{}', className);
}

/** Every prompt of every class, class-major: prompts[c * templates.length + t]. */
export function zeroShotPrompts(
  classNames: readonly string[],
  templates: readonly string[],
): string[] {
  return classNames.flatMap((c) => templates.map((t) => formatPrompt(t, c)));
}
