/**
 * The pretraining mixture: image–caption pairs drawn from the `pretrain` split of seven of the
 * eight domains (never a test or fine-tuning image), each captioned from templates naming its
 * class and domain. MNIST contributes no images: its digits are known only from the printed
 * house-number glyphs, as CLIP knew digits mostly from print — handwriting is then a real
 * domain shift. 15% of captions name only the domain (web captions often miss the object).
 */
import { Rng } from '../../src/data/prng';
import type { ZooTask } from './domains/tasks';

/** Templates with the class ({c}) and the domain noun ({n}). "a photo of a {c}." comes first:
 * it is the template zero-shot heads use for these task names. */
const CLASS_TEMPLATES = [
  'a photo of a {c}.',
  'a photo of a {c}.',
  'a photo of a {c}, a kind of {n}.',
  'a {n}: {c}.',
  'a blurry photo of a {c}.',
  'a small {c}.',
];
/** MNIST's zero-shot template (FusionBench), optionally also a house-number caption. */
const NUMBER_TEMPLATE = 'a photo of the number: "{c}".';
const DOMAIN_ONLY = ['a photo of a {n}.', 'an image of a {n}.'];
const DOMAIN_ONLY_SHARE = 0.15;

/** Tasks whose images are in the pretraining mixture (see the file comment). */
export function pretrainSources(tasks: readonly ZooTask[]): ZooTask[] {
  return tasks.filter((t) => t.name !== 'mnist');
}

function fill(template: string, className: string, noun: string): string {
  return template.replace('{c}', className).replace('{n}', noun);
}

/** Pair i takes image ⌊i / sources⌋ of the `pretrain` split of source i mod sources. */
export function pretrainSlot(
  i: number,
  sources: readonly ZooTask[],
): { task: ZooTask; index: number } {
  return { task: sources[i % sources.length]!, index: Math.floor(i / sources.length) };
}

/**
 * The caption of pair i (an image of class `label` of `task`), from the stream `caption:<i>`,
 * and the concept it names (`<task>:<label>`, or `<task>:*` for a domain-only caption).
 */
export function captionFor(
  task: ZooTask,
  label: number,
  i: number,
  seed: number,
  numberTemplate = false,
): { text: string; concept: string } {
  const rng = new Rng(seed, `caption:${i}`);
  const domainOnly = rng.uniform() < DOMAIN_ONLY_SHARE;
  const withNumber = numberTemplate && task.name === 'house-numbers';
  const classPool = withNumber
    ? [...CLASS_TEMPLATES, NUMBER_TEMPLATE, NUMBER_TEMPLATE]
    : CLASS_TEMPLATES;
  const pool = domainOnly ? DOMAIN_ONLY : classPool;
  const text = fill(pool[rng.int(pool.length)]!, task.classNames[label]!, task.noun);
  return { text, concept: `${task.name}:${domainOnly ? '*' : label}` };
}

/** What the tokenizer learns from: every caption, plus every zero-shot prompt of every task. */
export function tokenizerCorpus(tasks: readonly ZooTask[], captions: readonly string[]): string[] {
  const prompts = tasks.flatMap((t) => t.classNames.map((c) => `a photo of a ${c}.`));
  return [...captions, ...prompts];
}
