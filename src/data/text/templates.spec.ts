import { describe, expect, it } from 'vitest';
import {
  classNamesFor,
  formatPrompt,
  GENERIC_TEMPLATES,
  templatesFor,
  zeroShotPrompts,
} from './templates';

describe('templatesFor', () => {
  it('gives FusionBench counts and first entries checked by hand against its source', () => {
    // Counts from FORMATS.md (MNIST has one template, GTSRB three) and the .py files.
    expect(templatesFor('mnist')).toEqual(['a photo of the number: "{}".']);
    expect(templatesFor('gtsrb')).toHaveLength(3);
    expect(templatesFor('eurosat')).toEqual([
      'a centered satellite photo of {}.',
      'a centered satellite photo of a {}.',
      'a centered satellite photo of the {}.',
    ]);
    expect(templatesFor('sun397')).toEqual(['a photo of a {}.', 'a photo of the {}.']);
    expect(templatesFor('resisc45')).toHaveLength(18);
    expect(templatesFor('dtd')).toHaveLength(8);
    expect(templatesFor('stanford-cars')).toHaveLength(8);
  });

  it('accepts FusionBench aliases and HF dataset ids', () => {
    expect(templatesFor('tanganke/stanford_cars')).toBe(templatesFor('stanford-cars'));
    expect(templatesFor('STANFORD_CARS')).toBe(templatesFor('stanford-cars'));
    expect(templatesFor('ylecun/mnist')).toBe(templatesFor('mnist'));
  });

  it('falls back to the generic prompt', () => {
    expect(templatesFor('my-flowers')).toBe(GENERIC_TEMPLATES);
    expect(templatesFor('constructor')).toBe(GENERIC_TEMPLATES);
    expect(classNamesFor('my-flowers')).toBeUndefined();
  });
});

describe('classNamesFor', () => {
  it('has the class counts of the datasets', () => {
    const counts = {
      sun397: 397,
      'stanford-cars': 196,
      resisc45: 45,
      eurosat: 10,
      svhn: 10,
      gtsrb: 43,
      mnist: 10,
      dtd: 47,
    };
    for (const [task, n] of Object.entries(counts)) expect(classNamesFor(task)).toHaveLength(n);
    expect(classNamesFor('gtsrb')![14]).toBe('stop');
  });
});

describe('prompts', () => {
  it('formats class-major', () => {
    expect(formatPrompt('a photo of a {}.', 'cat')).toBe('a photo of a cat.');
    expect(zeroShotPrompts(['cat', 'dog'], ['a {}.', 'the {}!'])).toEqual([
      'a cat.',
      'the cat!',
      'a dog.',
      'the dog!',
    ]);
  });
});
