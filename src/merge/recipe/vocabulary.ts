/** Shape mismatches in a merge plan, with vocabulary-size mismatches named as such. */

import { isVocabularyMismatch } from '../../io';

/** The plan's problem line for two shapes of one tensor. */
export function shapeMismatchProblem(
  model: string,
  name: string,
  shape: number[],
  refName: string,
  refShape: number[],
): string {
  if (isVocabularyMismatch(name, shape, refShape)) {
    return `${model}: vocabulary size mismatch: tensor ${name} has ${shape[0]} token rows but ${refName} has ${refShape[0]}; the models use different tokenizers — align them with tokenizer_source (mergekit's tokenizer merge) or merge models that share ${refName}'s vocabulary`;
  }
  return `${model}: tensor ${name} has shape ${JSON.stringify(shape)} but ${refName} has ${JSON.stringify(refShape)}`;
}
